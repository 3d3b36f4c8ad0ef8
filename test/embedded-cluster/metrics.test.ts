import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentManifest, routerManifests, serviceManifest, versionSelector, type WorkloadTarget } from '../../services/cluster/manifests.ts';
import { eventually, startTestCluster, type TestCluster } from './helpers.ts';

const run = promisify(execFile);

/** Parses a Prometheus text scrape into samples. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

function requestsBy(text: string, namespace: string, filter: (labels: Record<string, string>) => boolean = () => true): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples(text)) {
    if (s.name !== 'istio_requests_total' || s.labels.destination_workload_namespace !== namespace || !filter(s.labels)) continue;
    out.set(s.labels.destination_version!, (out.get(s.labels.destination_version!) ?? 0) + s.value);
  }
  return out;
}

describe('embedded cluster metrics', () => {
  let t: TestCluster;
  const target: WorkloadTarget = { namespace: 'shop-prod', app: 'shop', environment: 'prod' };

  beforeAll(async () => {
    t = await startTestCluster({ requestsPerSecond: 200 });
    t.cluster.api.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: target.namespace } });
    t.cluster.api.create('deployments', target.namespace, deploymentManifest(target, 'r1', 'registry.local/shop:1.0', 2));
    t.cluster.api.create('deployments', target.namespace, deploymentManifest(target, 'r2', 'registry.local/shop:2.0-errors', 1));
    t.cluster.api.create('services', target.namespace, serviceManifest(target));
    const split = { stable: versionSelector(target, 'r1'), canary: versionSelector(target, 'r2'), canaryWeight: 25 };
    for (const manifest of routerManifests(target, 'ISTIO', split)) {
      t.cluster.api.create(manifest.kind === 'VirtualService' ? 'virtualservices' : 'destinationrules', target.namespace, manifest);
    }
    await eventually(() => t.cluster.store.list('pods', { namespace: target.namespace }).filter((p) => (p['status'] as any)?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length === 3, 10_000, 'three ready pods');
  });
  afterAll(() => t?.close());

  const scrape = async (path = '/metrics') => {
    const res = await fetch(`${t.cluster.metricsUrl}${path}`);
    return { status: res.status, text: await res.text() };
  };

  it('should split simulated requests by the VirtualService weights and answer 20% 5xx from an `errors` image', async () => {
    const before = requestsBy((await scrape()).text, target.namespace);
    await new Promise((r) => setTimeout(r, 1500));
    const { text } = await scrape();
    const after = requestsBy(text, target.namespace);
    const delta = (v: string) => (after.get(v) ?? 0) - (before.get(v) ?? 0);
    const canaryShare = delta('r2') / (delta('r1') + delta('r2'));
    expect(canaryShare).toBeGreaterThan(0.2);
    expect(canaryShare).toBeLessThan(0.3);
    const errors = [...requestsBy(text, target.namespace, (l) => l.response_code === '500').entries()];
    expect(errors.map(([v]) => v)).toEqual(['r2']);
    const ratio = errors[0]![1] / after.get('r2')!;
    expect(ratio).toBeGreaterThan(0.18);
    expect(ratio).toBeLessThan(0.22);
  });

  it('should follow a weight change in the cluster at once', async () => {
    const vs = t.cluster.store.get('virtualservices', target.namespace, 'shop')!;
    const spec = structuredClone(vs['spec']) as any;
    spec.http[0].route[0].weight = 100;
    spec.http[0].route[1].weight = 0;
    t.cluster.api.update('virtualservices', target.namespace, 'shop', { ...vs, spec });
    const before = requestsBy((await scrape()).text, target.namespace);
    await new Promise((r) => setTimeout(r, 1000));
    const after = requestsBy((await scrape()).text, target.namespace);
    expect((after.get('r2') ?? 0) - (before.get('r2') ?? 0)).toBe(0);
    expect((after.get('r1') ?? 0) - (before.get('r1') ?? 0)).toBeGreaterThan(50);
  });

  it('should export cAdvisor and kube-state-metrics series with namespace, pod and container labels', async () => {
    const all = samples((await scrape()).text);
    const pods = t.cluster.store.list('pods', { namespace: target.namespace }).map((p) => p.metadata.name).sort();
    const cpu = all.filter((s) => s.name === 'container_cpu_usage_seconds_total' && s.labels.namespace === target.namespace);
    expect(cpu.map((s) => s.labels.pod).sort()).toEqual(pods);
    expect(cpu.every((s) => s.labels.container === 'app' && s.value > 0)).toBe(true);
    expect(all.filter((s) => s.name === 'container_memory_working_set_bytes' && s.labels.namespace === target.namespace)).toHaveLength(3);
    expect(all.filter((s) => s.name === 'kube_pod_container_status_restarts_total' && s.labels.namespace === target.namespace)).toHaveLength(3);
    const labels = all.filter((s) => s.name === 'kube_pod_labels' && s.labels.namespace === target.namespace);
    expect(labels.map((s) => s.labels.label_app_kubernetes_io_version).sort()).toEqual(['r1', 'r1', 'r2']);
  });

  it('should pass promtool check metrics, but for the unit Istio really uses', async (context) => {
    const promtool = await run('promtool', ['--version']).catch(() => null);
    if (!promtool) {
      if (process.env.CI === 'true') throw new Error('promtool is missing');
      console.warn('promtool not installed: skipping the exposition format check');
      return context.skip();
    }
    const file = join(t.dataDir, 'scrape.txt');
    await writeFile(file, (await scrape()).text);
    const checked = await run('sh', ['-c', `promtool check metrics < ${file}`]).then(() => 'ok', (error: { stdout?: string; stderr?: string }) => `${error.stdout}${error.stderr}`);
    // Real Istio names its histogram in milliseconds; promtool's linter flags exactly that, nothing else.
    const problems = checked === 'ok' ? [] : checked.trim().split('\n');
    expect(problems.filter((line) => !line.startsWith('istio_request_duration_milliseconds use base unit'))).toEqual([]);
  });

  it("should serve a running pod's app metrics on its container port, and refuse other ports and paths", async () => {
    const pod = t.cluster.store.list('pods', { namespace: target.namespace })[0]!.metadata.name;
    const served = await scrape(`/pods/${target.namespace}/${pod}/8080/metrics`);
    expect(served.status).toBe(200);
    expect(served.text).toMatch(/^app_requests_total \d+$/m);
    expect((await scrape(`/pods/${target.namespace}/${pod}/9999/metrics`)).status).toBe(502);
    expect((await scrape(`/pods/${target.namespace}/${pod}/8080/other`)).status).toBe(404);
    expect((await scrape(`/pods/${target.namespace}/nope/8080/metrics`)).status).toBe(404);
  });
});
