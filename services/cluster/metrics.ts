import { Counter, Gauge, type LabelValues, type Registry } from 'prom-client';

/** Most distinct cluster names, and error reasons, that become label values. */
export const MAX_CLUSTER_LABELS = 100;
export const MAX_REASON_LABELS = 50;

/**
 * A label whose values come from outside (cluster names registered at run time, error codes
 * from a remote API server): every distinct value is a time series kept for the life of the
 * process, so only the first `max` well-formed values are used; the rest are counted as `other`.
 */
export class BoundedLabel {
  private readonly known = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly pattern: RegExp,
  ) {}

  value(raw: unknown): string {
    const text = String(raw);
    if (this.known.has(text)) return text;
    if (this.known.size < this.max && this.pattern.test(text)) {
      this.known.add(text);
      return text;
    }
    return 'other';
  }
}

/** Routes every labelled inc/dec/set of `metric` through `fix`, so no caller can bypass the caps. */
function capped<M extends Counter<string> | Gauge<string>>(metric: M, fix: (labels: LabelValues<string>) => LabelValues<string>): M {
  const target = metric as unknown as Record<string, unknown>;
  for (const method of ['inc', 'dec', 'set'] as const) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    target[method] = function (this: unknown, labels: unknown, ...rest: unknown[]) {
      const fixed = typeof labels === 'object' && labels !== null ? fix(labels as LabelValues<string>) : labels;
      return (original as (...args: unknown[]) => unknown).call(this, fixed, ...rest);
    };
  }
  return metric;
}

/** Health metrics of the cluster watches, registered on the server's registry. */
export function createClusterMetrics(registry: Registry) {
  const labelNames = ['cluster', 'kind'] as const;
  const collectors: (() => void)[] = [];
  // Cluster names are DNS-1123 labels (at most 63 characters); reasons are HTTP statuses or error codes.
  const clusters = new BoundedLabel(MAX_CLUSTER_LABELS, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  const reasons = new BoundedLabel(MAX_REASON_LABELS, /^[A-Za-z0-9_]{1,32}$/);
  const fix = (labels: LabelValues<string>): LabelValues<string> => ({
    ...labels,
    ...('cluster' in labels ? { cluster: clusters.value(labels.cluster) } : {}),
    ...('reason' in labels ? { reason: reasons.value(labels.reason) } : {}),
  });
  const metrics = {
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
  capped(metrics.connects, fix);
  capped(metrics.relists, fix);
  capped(metrics.watchdogRelists, fix);
  capped(metrics.errors, fix);
  capped(metrics.lastEventAge, fix);
  capped(metrics.cachedObjects, fix);
  return metrics;
}

export type ClusterMetrics = ReturnType<typeof createClusterMetrics>;
