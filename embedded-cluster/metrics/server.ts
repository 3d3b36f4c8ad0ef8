/**
 * The embedded cluster's metrics endpoint, a listener of its own on loopback:
 * - `GET /metrics`: what Prometheus scrapes from a real cluster's cAdvisor, kube-state-metrics
 *   and Istio sidecars (see exposition.ts), for every pod;
 * - `GET /pods/<namespace>/<pod>/<port><path>`: the pod's own app metrics endpoint, standing in
 *   for `http://<podIP>:<port><path>`, which nothing outside the simulation could reach. Served
 *   for a Running pod on one of its `containerPorts`, at `/metrics` or `/actuator/prometheus`;
 *   404 otherwise (as an app answers an unknown path), 502 for a port nothing listens on.
 */
import { createServer } from 'node:http';
import type { ObjectStore } from '../store.ts';
import { renderAppMetrics, renderClusterMetrics } from './exposition.ts';
import { TrafficSimulator } from './traffic.ts';
import { listenTracked, type TrackedListener } from '../http/listener.ts';

/** Paths a simulated app serves its metrics on. */
export const APP_METRICS_PATHS = ['/metrics', '/actuator/prometheus'] as const;

const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

/** Options of {@link ClusterMetricsServer}. */
export interface ClusterMetricsOptions {
  /** Requests per second each app receives in total (default 20). */
  requestsPerSecond?: number;
}

/** Simulated traffic plus the HTTP listener that exposes it. */
export class ClusterMetricsServer {
  private listener: TrackedListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly traffic: TrafficSimulator;

  constructor(
    private readonly store: ObjectStore,
    options: ClusterMetricsOptions = {},
  ) {
    this.traffic = new TrafficSimulator(store, options.requestsPerSecond === undefined ? {} : { requestsPerSecond: options.requestsPerSecond });
  }

  /** Starts the traffic and the listener; port 0 picks a free one. @returns the port. */
  async listen(port: number, host: string): Promise<number> {
    this.traffic.advance();
    this.timer = setInterval(() => this.traffic.advance(), 500);
    this.timer.unref();
    const server = createServer((request, response) => {
      try {
        this.handle(request.method ?? 'GET', request.url ?? '/', response);
      } catch {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
      }
    });
    this.listener = await listenTracked(server, port, host);
    return this.listener.port;
  }

  /** Stops the traffic and the listener (counters are kept for a restart, as a sidecar would not). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }

  private handle(method: string, rawUrl: string, response: import('node:http').ServerResponse): void {
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(rawUrl, 'http://cluster.invalid').pathname;
    if (path === '/metrics') {
      this.traffic.advance();
      response.writeHead(200, { 'content-type': TEXT_FORMAT }).end(renderClusterMetrics(this.store, this.traffic.pods()));
      return;
    }
    const match = /^\/pods\/([a-z0-9-]+)\/([a-z0-9.-]+)\/(\d{1,5})(\/.*)$/.exec(path);
    if (!match) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const [, namespace, name, port, appPath] = match as unknown as [string, string, string, string, string];
    this.traffic.advance();
    const counters = this.traffic.pod(namespace, name);
    if (!counters) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no such running pod\n');
      return;
    }
    const ports = ((counters.pod['spec'] as { containers?: { ports?: { containerPort?: number }[] }[] }).containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
    if (!ports.includes(Number(port))) {
      response.writeHead(502, { 'content-type': 'text/plain' }).end('connection refused\n');
      return;
    }
    if (!(APP_METRICS_PATHS as readonly string[]).includes(appPath)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    response.writeHead(200, { 'content-type': TEXT_FORMAT }).end(renderAppMetrics(counters));
  }
}
