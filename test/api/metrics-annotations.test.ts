import { describe, expect, it } from 'vitest';
import { kubectl } from '../support/cluster.ts';
import { aReleaseEnvironment, aSucceededRelease, withReleaseServer } from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

const ENDPOINT = `mutation($app: ID!, $e: MetricsEndpointInput) { updateMetricsEndpoint(appId: $app, endpoint: $e) { id metricsEndpoint { port path } } }`;

/** The pod template annotations of the namespace's Deployment running `version`, read with kubectl. */
async function templateAnnotations(t: TestServer, namespace: string, version: string): Promise<Record<string, string>> {
  const list = JSON.parse(await kubectl(t, 'get', 'deployments', '-n', namespace, '-o', 'json'));
  const deployment = list.items.find((d: any) => d.spec.template.metadata.labels['app.kubernetes.io/version'] === version);
  expect(deployment, `a Deployment of ${version}`).toBeDefined();
  return deployment.spec.template.metadata.annotations ?? {};
}

describe('prometheus.io pod annotations from the metrics endpoint', () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  it("should annotate the pods of the app's next release with its endpoint, and drop them once it is removed", async () => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1 });
    const appId = (await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { app { id } } } }`, { id: env.id })).node.app.id;
    await t.ok(ENDPOINT, { app: appId, e: { port: 9102, path: '/internal/metrics' } });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    expect(await templateAnnotations(t, env.namespace, 'r1')).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9102',
      'prometheus.io/path': '/internal/metrics',
    });
    const pods = JSON.parse(await kubectl(t, 'get', 'pods', '-n', env.namespace, '-l', 'app.kubernetes.io/version=r1', '-o', 'json'));
    expect(pods.items.length).toBeGreaterThan(0);
    for (const pod of pods.items) expect(pod.metadata.annotations?.['prometheus.io/port']).toBe('9102');

    await t.ok(ENDPOINT, { app: appId, e: null });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:2.0' });
    const annotations = await templateAnnotations(t, env.namespace, 'r2');
    expect(Object.keys(annotations).filter((key) => key.startsWith('prometheus.io/'))).toEqual([]);
  }, 60_000);
});
