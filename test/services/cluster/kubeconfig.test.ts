import { describe, expect, it } from 'vitest';
import { KubeconfigError, parseKubeconfig } from '../../../services/cluster/kubeconfig.ts';
import { aKubeconfig } from '../../support/kubeconfigs.ts';

const strict = { allowHttpLoopback: false };

const refusal = (text: string, policy = strict): KubeconfigError => {
  try {
    parseKubeconfig(text, null, policy);
  } catch (error) {
    if (error instanceof KubeconfigError) return error;
    throw error;
  }
  throw new Error('accepted');
};

describe('parseKubeconfig', () => {
  it('should build the client configuration from inline credentials only', () => {
    const kc = parseKubeconfig(aKubeconfig({ user: { token: 't0ken', 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' }, cluster: { 'certificate-authority-data': 'Y2E=' } }), null, strict);
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://127.0.0.1:6443', caData: 'Y2E=' });
    expect(kc.getCurrentCluster()?.caFile).toBeUndefined();
    expect(kc.getCurrentUser()).toMatchObject({ token: 't0ken', certData: 'Y2VydA==', keyData: 'a2V5' });
    expect(kc.getCurrentUser()?.exec).toBeUndefined();
  });

  it('should accept JSON and pick a named context', () => {
    const doc = {
      clusters: [{ name: 'a', cluster: { server: 'https://a.example' } }, { name: 'b', cluster: { server: 'https://b.example/' } }],
      users: [{ name: 'u', user: { token: 'x' } }],
      contexts: [{ name: 'ca', context: { cluster: 'a', user: 'u' } }, { name: 'cb', context: { cluster: 'b', user: 'u' } }],
      'current-context': 'ca',
    };
    expect(parseKubeconfig(JSON.stringify(doc), 'cb', strict).getCurrentCluster()?.server).toBe('https://b.example');
    expect(() => parseKubeconfig(JSON.stringify(doc), 'nope', strict)).toThrow(/no context "nope"/);
  });

  it('should refuse unknown keys in users and clusters, and dangling context references, by path', () => {
    expect(refusal(aKubeconfig({ user: { token: 'x', 'impersonate-uid': 'y' } })).path).toBe('users[0].user.impersonate-uid');
    expect(refusal(aKubeconfig({ cluster: { 'proxy-url': 'http://proxy' } })).path).toBe('clusters[0].cluster.proxy-url');
    expect(refusal(aKubeconfig({ user: { username: 'a', password: 'b' } })).path).toBe('users[0].user.username');
    const dangling = aKubeconfig().replace('user: u\n', 'user: ghost\n');
    expect(refusal(dangling).path).toBe('contexts[0].context.user');
  });

  it('should allow plain http only to loopback and only when the policy says so', () => {
    expect(refusal(aKubeconfig({ server: 'http://127.0.0.1:8080' })).path).toBe('clusters[0].cluster.server');
    const loose = { allowHttpLoopback: true };
    expect(parseKubeconfig(aKubeconfig({ server: 'http://127.0.0.1:8080' }), null, loose).getCurrentCluster()?.server).toBe('http://127.0.0.1:8080');
    expect(parseKubeconfig(aKubeconfig({ server: 'http://[::1]:8080' }), null, loose).getCurrentCluster()).toBeTruthy();
    expect(refusal(aKubeconfig({ server: 'http://127.0.0.1.evil.example' }), loose).path).toBe('clusters[0].cluster.server');
    expect(refusal(aKubeconfig({ server: 'ftp://127.0.0.1' }), loose).path).toBe('clusters[0].cluster.server');
  });

  it('should never put values in its messages', () => {
    const error = refusal(aKubeconfig({ server: 'http://10.9.8.7:6443', user: { token: 'sekret' } }));
    expect(error.message).not.toContain('10.9.8.7');
    expect(refusal('clusters: [ {name: sekret-value').message).not.toContain('sekret');
  });
});
