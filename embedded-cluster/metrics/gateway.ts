/**
 * The embedded cluster's ingress gateway: a loopback HTTP listener that answers real requests
 * on behalf of the simulated pods, as an Istio ingress gateway or a Gateway API implementation
 * in front of a real cluster would. The app is chosen by the Host header
 * (`<service>.<namespace>`, optionally followed by `.svc`, `.svc.cluster.local` and a port);
 * the destination by the router objects actually in the cluster (routing.ts, the same decision
 * the simulated traffic follows), spread exactly by a smooth weighted round robin; the pod by
 * round robin over the destination's Ready pods. Each answer names the version that served it
 * (`x-gantry-version`, the pod's `app.kubernetes.io/version`) and the pod (`x-gantry-pod`); a pod
 * whose image tag contains `errors` answers every fifth request with a 500, as in the metrics.
 * No Ready pod behind the chosen route: 503; an unknown host: 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { KubeObject } from '../objects.ts';
import type { ObjectStore } from '../store.ts';
import { podParts } from '../controllers/pod-status.ts';
import { listenTracked, type TrackedListener } from '../http/listener.ts';
import { trafficBehaviourOf } from './behaviour.ts';
import { isAppService, routeOf, type RouteDestination } from './routing.ts';

const VERSION = 'app.kubernetes.io/version';

/** The service and namespace a Host header names, or null when it names none. */
export function parseGatewayHost(host: string | undefined): { name: string; namespace: string } | null {
  const bare = (host ?? '').toLowerCase().replace(/:\d{1,5}$/, '').replace(/\.svc(\.cluster\.local)?$/, '');
  const match = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)\.([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/.exec(bare);
  return match ? { name: match[1]!, namespace: match[3]! } : null;
}

/**
 * Smooth weighted round robin (nginx's): over any window of N picks, each destination gets its
 * share to within one pick, so a load loop sees the router's weights, not a random walk.
 */
export class WeightedPicker {
  private current: number[] = [];

  /** The index of the next destination, or -1 when every weight is 0. */
  pick(weights: readonly number[]): number {
    if (this.current.length !== weights.length) this.current = weights.map(() => 0);
    const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
    if (total <= 0) return -1;
    let best = -1;
    weights.forEach((w, i) => {
      this.current[i]! += Math.max(0, w);
      if (best < 0 || this.current[i]! > this.current[best]!) best = i;
    });
    this.current[best]! -= total;
    return best;
  }
}

/** The ingress gateway listener (see the file's comment). */
export class IngressGateway {
  private listener: TrackedListener | undefined;
  private readonly pickers = new Map<string, WeightedPicker>();
  private readonly podTurns = new Map<string, number>();
  private readonly served = new Map<string, number>();

  constructor(private readonly store: ObjectStore) {}

  /** Starts listening; port 0 picks a free one. @returns the port. */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((request, response) => {
      try {
        this.handle(request, response);
      } catch {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('gateway failed\n');
      }
    });
    server.keepAliveTimeout = 30_000;
    this.listener = await listenTracked(server, port, host);
    return this.listener.port;
  }

  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    const target = parseGatewayHost(request.headers.host);
    const service = target ? this.store.get('services', target.namespace, target.name) : undefined;
    if (!target || !service || !isAppService(service)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no route for this host\n');
      return;
    }
    const key = `${target.namespace}/${target.name}`;
    const pod = this.choosePod(key, routeOf(this.store, service));
    if (!pod) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('no healthy upstream\n');
      return;
    }
    const version = pod.metadata.labels?.[VERSION] ?? '';
    const headers = { 'content-type': 'text/plain', 'x-gantry-version': version, 'x-gantry-pod': pod.metadata.name };
    const uid = pod.metadata.uid ?? pod.metadata.name;
    const count = (this.served.get(uid) ?? 0) + 1;
    this.served.set(uid, count);
    const failing = trafficBehaviourOf(podParts(pod).spec.containers?.[0]?.image).errorRatio > 0 && count % 5 === 0;
    if (failing) {
      response.writeHead(500, headers).end(`${version} failed\n`);
      return;
    }
    response.writeHead(200, headers).end(request.method === 'HEAD' ? undefined : `${version}\n`);
  }

  private choosePod(key: string, route: RouteDestination[]): KubeObject | undefined {
    let picker = this.pickers.get(key);
    if (!picker) this.pickers.set(key, (picker = new WeightedPicker()));
    // A destination without Ready pods keeps its share and answers 503, as a real gateway does.
    const index = picker.pick(route.map((d) => d.weight));
    const pods = index < 0 ? [] : route[index]!.pods;
    if (pods.length === 0) return undefined;
    const turnKey = `${key}#${index}`;
    const turn = this.podTurns.get(turnKey) ?? 0;
    this.podTurns.set(turnKey, turn + 1);
    return [...pods].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[turn % pods.length];
  }
}
