import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentManifest, routerManifests, serviceManifest, versionSelector, weightManifest, type WorkloadTarget } from '../../services/cluster/manifests.ts';
import { parseGatewayHost, WeightedPicker } from '../../embedded-cluster/metrics/gateway.ts';
import { eventually, startTestCluster, type TestCluster } from './helpers.ts';

const resourceOf = (kind: string) => ({ VirtualService: 'virtualservices', DestinationRule: 'destinationrules', HTTPRoute: 'httproutes', Service: 'services' })[kind]!;

/** One GET with a Host header (fetch drops `host`, a forbidden header name). */
function get(url: string, host: string): Promise<{ status: number; version: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, version: res.headers['x-gantry-version'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends `n` requests for `host` through the gateway; counts answers by status and version. */
async function load(gatewayUrl: string, host: string, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const res = await get(`${gatewayUrl}/`, host);
    const key = `${res.status} ${res.version ?? '-'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('embedded cluster ingress gateway', () => {
  let t: TestCluster;
  const istio: WorkloadTarget = { namespace: 'shop-prod', app: 'shop', environment: 'prod' };
  const gatewayApi: WorkloadTarget = { namespace: 'shop-gw', app: 'shop', environment: 'gw' };

  beforeAll(async () => {
    t = await startTestCluster();
    for (const [target, router] of [[istio, 'ISTIO'], [gatewayApi, 'GATEWAY_API']] as const) {
      t.cluster.api.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: target.namespace } });
      t.cluster.api.create('deployments', target.namespace, deploymentManifest(target, 'r1', 'registry.local/shop:1.0', 2));
      t.cluster.api.create('deployments', target.namespace, deploymentManifest(target, 'r2', 'registry.local/shop:2.0', 1));
      t.cluster.api.create('services', target.namespace, serviceManifest(target));
      const split = { stable: versionSelector(target, 'r1'), canary: versionSelector(target, 'r2'), canaryWeight: 30 };
      for (const manifest of routerManifests(target, router, split)) t.cluster.api.create(resourceOf(manifest.kind), target.namespace, manifest);
    }
    const ready = (ns: string) => t.cluster.store.list('pods', { namespace: ns }).filter((p) => (p['status'] as any)?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length === 3;
    await eventually(() => ready(istio.namespace) && ready(gatewayApi.namespace), 10_000, 'three ready pods in each namespace');
  });
  afterAll(() => t?.close());

  it('should answer real HTTP split exactly by the VirtualService weights, with the version in a header', async () => {
    const counts = await load(t.cluster.gatewayUrl, 'shop.shop-prod', 100);
    expect(Object.fromEntries(counts)).toEqual({ '200 r1': 70, '200 r2': 30 });
  });

  it('should follow a weight change in the cluster at once', async () => {
    const split = { stable: versionSelector(istio, 'r1'), canary: versionSelector(istio, 'r2'), canaryWeight: 80 };
    const manifest = weightManifest(istio, 'ISTIO', split);
    const current = t.cluster.store.get('virtualservices', istio.namespace, istio.app)!;
    t.cluster.api.update('virtualservices', istio.namespace, istio.app, { ...manifest, metadata: { ...manifest.metadata, resourceVersion: current.metadata.resourceVersion } });
    const counts = await load(t.cluster.gatewayUrl, 'shop.shop-prod.svc.cluster.local:8080', 50);
    expect(Object.fromEntries(counts)).toEqual({ '200 r1': 10, '200 r2': 40 });
  });

  it('should split by the HTTPRoute backendRef weights on Gateway API', async () => {
    const counts = await load(t.cluster.gatewayUrl, 'shop.shop-gw.svc', 100);
    expect(Object.fromEntries(counts)).toEqual({ '200 r1': 70, '200 r2': 30 });
  });

  it('should answer 404 for a host that names no app and 503 when the route has no ready pod', async () => {
    expect((await get(`${t.cluster.gatewayUrl}/`, 'nothing.shop-prod')).status).toBe(404);
    expect((await get(`${t.cluster.gatewayUrl}/`, 'not_a_host')).status).toBe(404);
    t.cluster.api.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty-prod' } });
    t.cluster.api.create('services', 'empty-prod', serviceManifest({ namespace: 'empty-prod', app: 'empty', environment: 'prod' }));
    expect((await get(`${t.cluster.gatewayUrl}/`, 'empty.empty-prod')).status).toBe(503);
  });

  it('should spread picks within one of each share over any window (smooth weighted round robin)', () => {
    const picker = new WeightedPicker();
    const picks = Array.from({ length: 20 }, () => picker.pick([25, 75]));
    expect(picks.filter((p) => p === 0)).toHaveLength(5);
    expect(picks.slice(0, 4).filter((p) => p === 0)).toHaveLength(1);
    expect(new WeightedPicker().pick([0, 0])).toBe(-1);
    expect(parseGatewayHost('Shop.Shop-Prod.svc.cluster.local:80')).toEqual({ name: 'shop', namespace: 'shop-prod' });
  });
});
