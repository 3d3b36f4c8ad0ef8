/**
 * Protobuf request bodies the embedded API server cannot decode are refused with a clear
 * Status, never half-decoded: checked over HTTP with hand-built protobuf bodies.
 */
import { describe, expect, it } from 'vitest';
import { aClusterPerTest, type TestCluster } from './helpers.ts';

let test: TestCluster;
aClusterPerTest((started) => (test = started));

/** A length-delimited protobuf field (field numbers and lengths below 128 only). */
const field = (number: number, payload: Buffer | string) => {
  const bytes = Buffer.from(payload);
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
};
/** The `k8s\0` + runtime.Unknown envelope around a raw object. */
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])), field(2, raw)]);

async function post(path: string, body: Buffer) {
  const response = await fetch(`${test.cluster.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/vnd.kubernetes.protobuf,application/json' }, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as any };
}

describe('protobuf request bodies', () => {
  it('creates a config map from a protobuf body and answers in JSON, which the client accepts', async () => {
    const raw = Buffer.concat([field(1, field(1, 'from-proto')), field(2, Buffer.concat([field(1, 'k'), field(2, 'v')]))]);
    const created = await post('/api/v1/namespaces/default/configmaps', envelope('v1', 'ConfigMap', raw));
    expect(created).toMatchObject({ status: 201, contentType: 'application/json', body: { kind: 'ConfigMap', metadata: { name: 'from-proto', namespace: 'default' }, data: { k: 'v' } } });
  });

  it('refuses a field it has no layout for with 415 naming the field, and stores nothing', async () => {
    const raw = Buffer.concat([field(1, field(1, 'odd')), field(9, 'x')]);
    const refused = await post('/api/v1/namespaces/default/configmaps', envelope('v1', 'ConfigMap', raw));
    expect(refused).toMatchObject({ status: 415, body: { kind: 'Status', reason: 'UnsupportedMediaType', message: expect.stringContaining('field 9 of protobuf ConfigMap') } });
    expect(test.cluster.store.get('configmaps', 'default', 'odd')).toBeUndefined();
  });

  it('answers 400 for a body without the k8s magic prefix or with a truncated field', async () => {
    expect((await post('/api/v1/namespaces/default/configmaps', Buffer.from('not protobuf'))).body).toMatchObject({ code: 400, reason: 'BadRequest', message: expect.stringContaining('invalid protobuf body') });
    const truncated = envelope('v1', 'ConfigMap', field(1, field(1, 'cut'))).subarray(0, -2);
    expect((await post('/api/v1/namespaces/default/configmaps', truncated)).status).toBe(400);
  });
});
