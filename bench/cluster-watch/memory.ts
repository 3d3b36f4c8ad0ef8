/**
 * Child process, run with --expose-gc: heap held by the pods watch cache per cached pod. The
 * embedded cluster fills its store first; then the heap (after full GCs) is read before and after
 * a fresh `WatchCache` of pods, configured as `ClusterConnection` configures it, lists and watches
 * them. The store does not change in between, so the difference is the cache (plus its fixed cost:
 * the cache object, its HTTP client and one open watch).
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../embedded-cluster/index.ts';
import { isPodReady } from '../../embedded-cluster/controllers/pod-status.ts';
import { WATCHED_KINDS } from '../../services/cluster/kinds.ts';
import { parseKubeconfig } from '../../services/cluster/kubeconfig.ts';
import { MANAGED_SELECTOR } from '../../services/cluster/labels.ts';
import { deploymentManifest, namespaceManifest } from '../../services/cluster/manifests.ts';
import { createClusterMetrics } from '../../services/cluster/metrics.ts';
import { WatchCache } from '../../services/cluster/watch-cache.ts';
import { sleep, waitFor } from '../support/stats.ts';
import { APP } from './fleet.ts';
import { QUIET_POD_TIMINGS } from './timings.ts';

/** One measurement at a number of cached pods. */
export interface MemorySample {
  pods: number;
  /** Heap growth while the cache listed and watched the pods, bytes. */
  cacheBytes: number;
  /** Mean size of one pod as the API server sends it (JSON), bytes. */
  jsonBytesPerPod: number;
  /** Heap the same pods take as whole parsed objects (what caching full objects would cost), bytes. */
  wholeObjectBytes: number;
}

/** The child's one message: the samples, or why it could not measure. */
export type FromMemory = { type: 'result'; samples: MemorySample[]; setupMs: number; error?: string };

const gc = (globalThis as { gc?: () => void }).gc;

async function heapUsed(): Promise<number> {
  if (!gc) throw new Error('run with --expose-gc');
  // Twice, with a turn of the event loop between: the second pass frees what finalizers released.
  for (let i = 0; i < 2; i++) {
    gc();
    await sleep(5);
  }
  return process.memoryUsage().heapUsed;
}

function managedPods(cluster: EmbeddedCluster) {
  return cluster.store.list('pods', { labelSelector: MANAGED_SELECTOR });
}

/** Adds Deployments of 100 pods until `pods` exist, and waits until all are Ready. */
async function growTo(cluster: EmbeddedCluster, pods: number): Promise<void> {
  const existing = managedPods(cluster).length;
  for (let d = existing / 100; d < pods / 100; d++) {
    const target = { namespace: `mem-${d}`, app: APP, environment: `mem-${d}` };
    cluster.api.create('namespaces', undefined, namespaceManifest(target));
    cluster.api.create('deployments', target.namespace, deploymentManifest(target, 'v1', 'registry.local/web:1.0', 100));
  }
  const ready = await waitFor(() => managedPods(cluster).filter(isPodReady).length === pods, 60_000, 100);
  if (!ready) throw new Error(`pods not Ready: ${managedPods(cluster).length} of ${pods}`);
  await sleep(300);
}

async function measure(cluster: EmbeddedCluster, pods: number): Promise<MemorySample> {
  const stored = managedPods(cluster);
  const jsonBytesPerPod = stored.reduce((sum, p) => sum + Buffer.byteLength(JSON.stringify(p)), 0) / stored.length;

  const before = await heapUsed();
  const cache = new WatchCache({
    cluster: 'memory',
    kubeConfig: parseKubeconfig(cluster.kubeConfigYaml, null, { allowHttpLoopback: true }),
    spec: WATCHED_KINDS.pods,
    labelSelector: MANAGED_SELECTOR,
    metrics: createClusterMetrics(new Registry()),
    logger: pino({ level: 'silent' }),
  });
  cache.start();
  if (!(await cache.waitForSync(30_000)) || cache.size !== pods) throw new Error(`cache holds ${cache.size} of ${pods} pods`);
  await sleep(200);
  const cacheBytes = (await heapUsed()) - before;
  await cache.stop();

  const beforeWhole = await heapUsed();
  const whole = new Map(stored.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, JSON.parse(JSON.stringify(p)) as unknown]));
  const wholeObjectBytes = ((await heapUsed()) - beforeWhole) / pods;
  if (whole.size !== pods) throw new Error('whole-object copy incomplete');
  return { pods, cacheBytes, jsonBytesPerPod, wholeObjectBytes };
}

async function main(): Promise<void> {
  const cluster = await startEmbeddedCluster({ timeScale: 0.02, podTimings: QUIET_POD_TIMINGS, maxEvents: 100_000 });
  try {
    const samples: MemorySample[] = [];
    let setupMs = 0;
    for (const pods of [1000, 5000]) {
      const t = Date.now();
      await growTo(cluster, pods);
      setupMs += Date.now() - t;
      samples.push(await measure(cluster, pods));
    }
    process.send!({ type: 'result', samples, setupMs } satisfies FromMemory);
  } finally {
    await cluster.stop();
  }
}

process.on('disconnect', () => process.exit(0));
main().then(
  () => process.disconnect(),
  (error: unknown) => {
    process.send!({ type: 'result', samples: [], setupMs: 0, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromMemory);
    process.disconnect();
  },
);
