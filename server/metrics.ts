import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { workloadBuildCount } from '../services/workloads/publisher.ts';

/**
 * The server's Prometheus metrics, in a registry of its own (not prom-client's global one),
 * so several servers in one process (tests) do not collide.
 */
export function createMetrics() {
  const registry = new Registry();
  let buildsSeen = workloadBuildCount();
  // No prefix: process_cpu_seconds_total, process_resident_memory_bytes, nodejs_* are the names
  // every Prometheus dashboard and alert expects.
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters (promtool check metrics rejects them); the same numbers are in
  // nodejs_active_handles, nodejs_active_requests and nodejs_active_resources, by type.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  return {
    registry,
    /** The bounded set of operation names used as the `operation` label. */
    operationLabels: new OperationLabels(MAX_OPERATION_LABELS),
    requests: new Counter({
      name: 'gantry_graphql_operations_total',
      help: 'GraphQL operations by operation name, type, transport and outcome (ok or the error code).',
      labelNames: ['operation', 'type', 'transport', 'outcome'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'gantry_graphql_operation_duration_seconds',
      help: 'Time to execute a GraphQL query or mutation.',
      labelNames: ['operation', 'type', 'transport'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'gantry_http_requests_total',
      help: 'HTTP requests by route and status code.',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    openWebSockets: new Gauge({
      name: 'gantry_websocket_connections',
      help: 'Open WebSocket connections.',
      registers: [registry],
    }),
    activeSubscriptions: new Gauge({
      name: 'gantry_graphql_active_subscriptions',
      help: 'Subscriptions currently streaming.',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
    engineInfo: new Gauge({
      name: 'gantry_release_engine_info',
      help: "Always 1; `owner` is this process's lease owner id in releases.lease_owner.",
      labelNames: ['owner'] as const,
      registers: [registry],
    }),
    releasesDriving: new Gauge({
      name: 'gantry_releases_driving',
      help: 'Releases this process drives now (holds the lease of).',
      registers: [registry],
    }),
    workloadBuilds: new Counter({
      name: 'gantry_workload_builds_total',
      help: 'Workload views built for workloadChanged: one per change of an app, whatever the number of subscribers.',
      registers: [registry],
      collect() {
        // The publishers belong to the process, not to one server: count from this registry's start.
        const now = workloadBuildCount();
        if (now > buildsSeen) this.inc(now - buildsSeen);
        buildsSeen = now;
      },
    }),
    limitRefusals: new Counter({
      name: 'gantry_limit_refusals_total',
      help: 'Requests, operations and connections refused by a per-token limit or for lack of credentials, by limit.',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    dbQueries: new Counter({
      name: 'gantry_db_queries_total',
      help: 'SQL statements sent to the database, by origin: request (clients\' requests and operations) or background (workers, feeds).',
      labelNames: ['origin'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** How many distinct operation names may become label values. */
export const MAX_OPERATION_LABELS = 500;

/** What an operation name must look like to become a label value. */
const LABEL_NAME = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Operation names are chosen by clients, and every distinct label value is a new time series
 * kept for the life of the process: left open, anyone could grow the scrape (and the heap)
 * without bound. A name becomes a label value only when an authenticated caller's document
 * validated with it, it is at most 64 characters of [A-Za-z0-9_], and fewer than `max` names
 * are known; the first ones seen win, which are the names the real clients (console, release
 * tooling, scripts) use all the time. Every other name is counted as `other`; operations
 * without a name as `anonymous`.
 */
export class OperationLabels {
  private readonly known = new Set<string>();

  constructor(private readonly max: number) {}

  /**
   * The label value for `name`.
   * @param admit true only for an authenticated caller whose document validated: such a name may join the set.
   */
  label(name: string | null | undefined, admit = false): string {
    if (name === null || name === undefined || name === '') return 'anonymous';
    if (this.known.has(name)) return name;
    if (admit && this.known.size < this.max && LABEL_NAME.test(name)) {
      this.known.add(name);
      return name;
    }
    return 'other';
  }
}
