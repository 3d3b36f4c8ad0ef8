import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../services/cluster/backoff.ts';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../../embedded-cluster/index.ts';
import { WATCHED_KINDS, type ServiceView } from '../../../services/cluster/kinds.ts';
import { MANAGED_SELECTOR } from '../../../services/cluster/labels.ts';
import { createClusterMetrics, type ClusterMetrics } from '../../../services/cluster/metrics.ts';
import { WatchCache } from '../../../services/cluster/watch-cache.ts';

const NS = 'faults';
const labels = { 'app.kubernetes.io/managed-by': 'gantry', 'app.kubernetes.io/name': 'svc' };

/** Counter value for one cluster/kind label set. */
async function count(metrics: ClusterMetrics, name: 'relists' | 'connects'): Promise<number> {
  const values = (await metrics[name].get()).values;
  return values.reduce((sum, v) => sum + v.value, 0);
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('supervised watch cache against the embedded API server', () => {
  let cluster: EmbeddedCluster;
  let core: CoreV1Api;
  let cache: WatchCache<ServiceView>;
  let metrics: ClusterMetrics;
  let serial = 0;

  /** What a fresh LIST says now: name → resourceVersion. */
  async function freshList(): Promise<Map<string, string>> {
    const list = await core.listServiceForAllNamespaces({ labelSelector: MANAGED_SELECTOR });
    return new Map(list.items.map((s) => [`${s.metadata!.namespace}/${s.metadata!.name}`, s.metadata!.resourceVersion!]));
  }
  function cached(): Map<string, string> {
    return new Map(cache.list().map((s) => [`${s.namespace}/${s.name}`, s.resourceVersion]));
  }
  /** Creates, updates and deletes services, as a busy cluster would. */
  async function churn(rounds: number): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      const name = `svc-${++serial}`;
      await core.createNamespacedService({
        namespace: NS,
        body: { metadata: { name, labels }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
      });
      const current = await core.readNamespacedService({ namespace: NS, name });
      current.metadata!.annotations = { round: String(i) };
      await core.replaceNamespacedService({ namespace: NS, name, body: current });
      if (serial % 3 === 0) await core.deleteNamespacedService({ namespace: NS, name });
    }
  }

  beforeEach(async () => {
    cluster = await startEmbeddedCluster({ timeScale: 0.02 });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfigYaml);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    metrics = createClusterMetrics(new Registry());
    cache = serviceCache(cluster, metrics, 60_000);
    cache.start();
    expect(await cache.waitForSync(5000)).toBe(true);
  });

  afterEach(async () => {
    await cache.stop();
    await cluster.stop();
  });

  it('should resume a dropped watch from its resourceVersion without a new LIST', async () => {
    await churn(5);
    await until(async () => JSON.stringify([...cached()]) === JSON.stringify([...(await freshList())]));
    const relistsBefore = await count(metrics, 'relists');
    const connectsBefore = await count(metrics, 'connects');
    expect(cluster.faults.dropWatches()).toBeGreaterThan(0);
    await churn(5);
    await until(async () => sameMaps(cached(), await freshList()));
    expect(await count(metrics, 'relists')).toBe(relistsBefore);
    expect(await count(metrics, 'connects')).toBeGreaterThan(connectsBefore);
  });

  it('should relist after history expired (410 Gone) and end equal to a fresh LIST', async () => {
    await churn(3);
    await until(async () => sameMaps(cached(), await freshList()));
    const relistsBefore = await count(metrics, 'relists');
    await cache.stop(); // while stopped, changes happen and history is lost
    await churn(4);
    cluster.faults.expireHistory();
    cache.start();
    await churn(2);
    await until(async () => sameMaps(cached(), await freshList()));
    expect(await count(metrics, 'relists')).toBeGreaterThan(relistsBefore);
  });

  it('should recover from an in-stream 410 on an open watch: nothing missed, nothing phantom', async () => {
    await churn(3);
    await until(async () => sameMaps(cached(), await freshList()));
    cluster.faults.expireHistory();
    cluster.faults.dropWatches();
    await churn(3);
    await until(async () => sameMaps(cached(), await freshList()));
  });

  it('should retry LISTs failing with 500 and 429 and recover once the server answers again', async () => {
    await churn(2);
    await cache.stop();
    await churn(4);
    cluster.faults.expireHistory(); // the cache's resourceVersion is now too old: it must LIST
    cluster.faults.failNextLists(3, 500);
    cluster.faults.failNextLists(2, 429, { retryAfterSeconds: 0 });
    cache.start();
    await until(() => cluster.faults.pendingListFailures === 0);
    await churn(2);
    await until(async () => sameMaps(cached(), await freshList()));
    const errors = (await metrics.errors.get()).values;
    expect(errors.find((v) => v.labels.reason === '500')?.value).toBeGreaterThanOrEqual(1);
    expect(errors.find((v) => v.labels.reason === '429')?.value).toBeGreaterThanOrEqual(1);
    expect(cluster.faults.pendingListFailures).toBe(0);
  });

  it('should survive the API server stopping and restarting on the same port while objects change', async () => {
    await churn(3);
    await until(async () => sameMaps(cached(), await freshList()));
    await cluster.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(cache.state).toBe('RETRYING');
    // Changes made while Gantry cannot see the server (in process, as another client would).
    await cluster.restart();
    await churn(4);
    await until(async () => sameMaps(cached(), await freshList()), 15_000);
    expect(cache.state).toBe('SYNCED');
  });

  it('should relist when a watch stays silent longer than the staleness limit', async () => {
    await cache.stop();
    cache = serviceCache(cluster, metrics, 300);
    cache.start();
    await cache.waitForSync(5000);
    const before = (await metrics.watchdogRelists.get()).values.reduce((s, v) => s + v.value, 0);
    await until(async () => (await metrics.watchdogRelists.get()).values.reduce((s, v) => s + v.value, 0) > before, 5000);
    await churn(2);
    await until(async () => sameMaps(cached(), await freshList()));
  });
});

function kubeConfigOf(cluster: EmbeddedCluster): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeConfigYaml);
  return kc;
}

/** A cache of Services with fast retries, as the system under test. */
function serviceCache(cluster: EmbeddedCluster, metrics: ClusterMetrics, staleAfterMs: number): WatchCache<ServiceView> {
  return new WatchCache<ServiceView>({
    cluster: 'embedded',
    kubeConfig: kubeConfigOf(cluster),
    spec: WATCHED_KINDS.services,
    labelSelector: MANAGED_SELECTOR,
    metrics,
    logger: pino({ level: 'silent' }),
    staleAfterMs,
    backoff: new Backoff({ initialMs: 20, maxMs: 200 }),
  });
}

function sameMaps(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

describe('reconnecting a watch that worked', () => {
  it('should reconnect a quiet watch within a short jitter after every drop, not after a growing backoff', async () => {
    // No bookmarks for an hour of simulated time: the watch delivers nothing at all between drops.
    const quiet = await startEmbeddedCluster({ timeScale: 0.02, bookmarkIntervalMs: 3_600_000 });
    const metrics = createClusterMetrics(new Registry());
    // A backoff whose first step (1.5–3 s) is easy to tell from a reconnect jitter (≤ 250 ms).
    const cache = new WatchCache<ServiceView>({
      cluster: 'embedded',
      kubeConfig: kubeConfigOf(quiet),
      spec: WATCHED_KINDS.services,
      labelSelector: MANAGED_SELECTOR,
      metrics,
      logger: pino({ level: 'silent' }),
      staleAfterMs: 60_000,
      backoff: new Backoff({ initialMs: 3_000, maxMs: 30_000 }),
    });
    try {
      cache.start();
      expect(await cache.waitForSync(5000)).toBe(true);
      const delays: number[] = [];
      for (let drop = 0; drop < 3; drop++) {
        await new Promise((r) => setTimeout(r, 1_300)); // open past a second, having delivered nothing
        const before = await count(metrics, 'connects');
        const dropped = Date.now();
        quiet.faults.dropWatches();
        await until(async () => (await count(metrics, 'connects')) > before, 10_000);
        delays.push(Date.now() - dropped);
      }
      expect(delays.every((ms) => ms < 1_000), `reconnect delays ${delays.join(', ')} ms`).toBe(true);
    } finally {
      await cache.stop();
      await quiet.stop();
    }
  });
});
