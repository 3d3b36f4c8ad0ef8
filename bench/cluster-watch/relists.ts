import type { ClusterConnection } from '../../services/cluster/connection.ts';
import type { EmbeddedCluster } from '../../embedded-cluster/index.ts';
import { MANAGED_SELECTOR } from '../../services/cluster/labels.ts';
import type { BenchGantry } from '../support/gantry.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { sleep, waitFor } from '../support/stats.ts';
import { stampPod, type FleetEnvironment } from './fleet.ts';

/** What the watch-drop run measured. */
export interface DropReport {
  /** Drops asked for, and drops done (each waited for every cache to resume) within the budget. */
  requested: number;
  completed: number;
  /** Watch connections the embedded server closed per drop (one per watched kind). */
  watchesPerDrop: number;
  relists: number;
  connects: number;
  /** Milliseconds from each drop until every cache matched a fresh list again. */
  resumeMs: number[];
  /** The control: one drop after the history was compacted, so resuming must relist. */
  control: { relists: number; connects: number; resumeMs: number } | null;
}

/** Counters of the cluster watches, summed over kinds. */
async function watchCounters(origin: string): Promise<{ relists: number; connects: number }> {
  const scrape = await scrapeMetrics(origin);
  const embedded = 'cluster="embedded"';
  return { relists: scrape.sum('gantry_cluster_relists_total', embedded), connects: scrape.sum('gantry_cluster_watch_connects_total', embedded) };
}

/** Every cache holds exactly what a fresh list of its kind returns (same objects, same resourceVersions). */
function cachesMatchStore(connection: ClusterConnection, cluster: EmbeddedCluster): boolean {
  for (const [kind, cache] of Object.entries(connection.caches)) {
    const fresh = cluster.store.list(kind, { labelSelector: MANAGED_SELECTOR });
    if (fresh.length !== cache.size || cache.state !== 'SYNCED') return false;
    for (const o of fresh) if (cache.get(o.metadata.namespace ?? '', o.metadata.name)?.resourceVersion !== o.metadata.resourceVersion) return false;
  }
  return true;
}

/**
 * LIST calls per injected watch drop: with the caches synced, stamps pods (churn), drops every
 * watch connection, stamps more pods while the watches are down (they must be replayed from the
 * retained history), and waits until every cache matches a fresh list; counts relists and watch
 * connects from /metrics. First, as a control, one drop after compacting the history, where a
 * relist per cache is the correct behaviour. Stops early rather than overrun `budgetMs`.
 */
export async function measureDrops(g: BenchGantry, fleet: FleetEnvironment[], drops: number, budgetMs: number, nextSeq: () => number): Promise<DropReport> {
  const deadline = Date.now() + budgetMs;
  const connection = g.server.registry!.connection('embedded')!;
  const cluster = g.embedded;
  const watchedKinds = Object.keys(connection.caches).length;
  let podCursor = 0;
  const churn = () => {
    for (const env of fleet) stampPod(cluster.api, env.namespace, env.pods[podCursor++ % env.pods.length]!, nextSeq());
  };
  const settled = (until: number) => waitFor(() => cluster.openWatchCount >= watchedKinds && cachesMatchStore(connection, cluster), Math.max(0, until - Date.now()));
  if (!(await settled(Date.now() + 10_000))) throw new Error('caches not synced before the drops');

  const dropOnce = async (outsideHistory: boolean) => {
    churn();
    await sleep(100);
    const before = await watchCounters(g.metricsOrigin);
    const droppedAt = Date.now();
    const closed = cluster.faults.dropWatches();
    if (outsideHistory) {
      // A write no cache watches moves the resourceVersion past every cache's, then compaction.
      cluster.api.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `bench-compaction-${nextSeq()}` }, data: {} });
      cluster.faults.expireHistory();
    }
    churn();
    const resumed = await settled(deadline);
    const resumeMs = Date.now() - droppedAt;
    await sleep(50);
    const after = await watchCounters(g.metricsOrigin);
    return { closed, resumed, resumeMs, relists: after.relists - before.relists, connects: after.connects - before.connects };
  };

  const controlRun = await dropOnce(true);
  const control = controlRun.resumed ? { relists: controlRun.relists, connects: controlRun.connects, resumeMs: controlRun.resumeMs } : null;

  const report: DropReport = { requested: drops, completed: 0, watchesPerDrop: 0, relists: 0, connects: 0, resumeMs: [], control };
  let closed = 0;
  // Resume times double from drop to drop (see the report), so a drop that cannot finish within
  // the budget is not started.
  while (report.completed < drops && deadline - Date.now() > 2 * (report.resumeMs.at(-1) ?? 0)) {
    const run = await dropOnce(false);
    if (!run.resumed) break;
    report.completed += 1;
    closed += run.closed;
    report.relists += run.relists;
    report.connects += run.connects;
    report.resumeMs.push(run.resumeMs);
  }
  report.watchesPerDrop = report.completed ? closed / report.completed : NaN;
  return report;
}
