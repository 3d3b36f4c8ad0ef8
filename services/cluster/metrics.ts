import { Counter, Gauge, type Registry } from 'prom-client';

/** Health metrics of the cluster watches, registered on the server's registry. */
export function createClusterMetrics(registry: Registry) {
  const labelNames = ['cluster', 'kind'] as const;
  const collectors: (() => void)[] = [];
  return {
    /** Registers a callback that refreshes the gauges right before a scrape. */
    onCollect(collect: () => void): void {
      collectors.push(collect);
    },
    connects: new Counter({ name: 'gantry_cluster_watch_connects_total', help: 'Watch requests started.', labelNames, registers: [registry] }),
    relists: new Counter({ name: 'gantry_cluster_relists_total', help: 'Full LISTs (initial sync, 410 Gone, watchdog).', labelNames, registers: [registry] }),
    watchdogRelists: new Counter({
      name: 'gantry_cluster_watchdog_relists_total',
      help: 'Relists forced because a watch was silent too long.',
      labelNames,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'gantry_cluster_watch_errors_total',
      help: 'Failed LIST or watch requests, by reason (HTTP status or error code).',
      labelNames: ['cluster', 'kind', 'reason'] as const,
      registers: [registry],
    }),
    lastEventAge: new Gauge({
      name: 'gantry_cluster_watch_last_event_age_seconds',
      help: 'Seconds since the watch last delivered an event or bookmark.',
      labelNames,
      registers: [registry],
      collect() {
        for (const collect of collectors) collect();
      },
    }),
    cachedObjects: new Gauge({ name: 'gantry_cluster_cached_objects', help: 'Objects in the watch cache.', labelNames, registers: [registry] }),
  };
}

export type ClusterMetrics = ReturnType<typeof createClusterMetrics>;
