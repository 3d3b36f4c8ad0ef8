import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { workloadBuildCount } from '../services/workloads/publisher.ts';

/**
 * The server's Prometheus metrics, in a registry of its own (not prom-client's global one),
 * so several servers in one process (tests) do not collide.
 */
export function createMetrics() {
  const registry = new Registry();
  let buildsSeen = workloadBuildCount();
  collectDefaultMetrics({ register: registry, prefix: 'gantry_process_' });
  return {
    registry,
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
    dbQueries: new Counter({
      name: 'gantry_db_queries_total',
      help: 'SQL statements sent to the database.',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
