/**
 * Simulated request traffic: every app Gantry deployed receives a steady stream of requests,
 * split the way the router objects actually in the cluster say (routing.ts decides, for the
 * ingress gateway too), and within a destination evenly over its Ready pods.
 * Each pod's image tag chooses its answers (see behaviour.ts). Counters only grow, as the
 * sidecars' and cAdvisor's do; a pod that goes away takes its series with it.
 */
import type { KubeObject } from '../objects.ts';
import type { ObjectStore } from '../store.ts';
import { isPodActive, podParts } from '../controllers/pod-status.ts';
import { ISTIO_DURATION_BUCKETS_MS, trafficBehaviourOf } from './behaviour.ts';
import { appServices, routeOf, type RouteDestination } from './routing.ts';

/** Counters of one pod, since it was first seen. */
export interface PodCounters {
  pod: KubeObject;
  /** Requests answered, by response code. */
  responses: Map<string, number>;
  /** Request count per `le` bucket (not cumulative), in ISTIO_DURATION_BUCKETS_MS order, plus +Inf last. */
  buckets: number[];
  /** Sum of request durations, milliseconds. */
  durationSumMs: number;
  /** CPU seconds used by each container. */
  cpuSeconds: Map<string, number>;
  /** Requests per second the pod served in the last interval (drives CPU and memory). */
  recentRps: number;
  /** Fractions of requests not yet counted (counters stay integers). */
  carry: { requests: number; errors: number; bands: number[] };
}

/** Options of {@link TrafficSimulator}. */
export interface TrafficOptions {
  /** Requests per second each app receives in total (default 20). */
  requestsPerSecond?: number;
  /** Wall clock, milliseconds (tests may pass their own). */
  now?: () => number;
}

/** Accumulates per-pod request, latency and CPU counters from the cluster's routing state. */
export class TrafficSimulator {
  private readonly counters = new Map<string, PodCounters>();
  private lastAt: number;
  private readonly rps: number;
  private readonly now: () => number;

  constructor(
    private readonly store: ObjectStore,
    options: TrafficOptions = {},
  ) {
    this.rps = options.requestsPerSecond ?? 20;
    this.now = options.now ?? Date.now;
    this.lastAt = this.now();
  }

  /** Adds the traffic of the time passed since the last call, under the routing in the store now. */
  advance(): void {
    const now = this.now();
    const seconds = Math.max(0, (now - this.lastAt) / 1000);
    this.lastAt = now;
    const live = new Set<string>();
    const served = new Map<string, number>();
    for (const service of appServices(this.store)) {
      for (const { weight, pods } of this.destinations(service)) {
        for (const pod of pods) {
          const uid = pod.metadata.uid ?? '';
          served.set(uid, (served.get(uid) ?? 0) + (this.rps * weight) / 100 / pods.length);
        }
      }
    }
    for (const pod of this.store.list('pods')) {
      if (!isPodActive(pod) || podParts(pod).status.phase !== 'Running') continue;
      const uid = pod.metadata.uid ?? '';
      live.add(uid);
      const counters = this.countersOf(pod);
      counters.pod = pod;
      const rps = served.get(uid) ?? 0;
      counters.recentRps = rps;
      this.serve(counters, rps * seconds);
      for (const container of podParts(pod).spec.containers ?? []) {
        const used = counters.cpuSeconds.get(container.name) ?? 0;
        counters.cpuSeconds.set(container.name, used + seconds * (0.02 + 0.002 * rps));
      }
    }
    for (const uid of this.counters.keys()) if (!live.has(uid)) this.counters.delete(uid);
  }

  /** The counters of every running pod (after {@link advance}). */
  pods(): PodCounters[] {
    return [...this.counters.values()];
  }

  /** The counters of one pod by namespace and name, if it runs. */
  pod(namespace: string, name: string): PodCounters | undefined {
    return this.pods().find((c) => c.pod.metadata.namespace === namespace && c.pod.metadata.name === name);
  }

  /** Namespaces whose routers send everything to their first destination (a fault, see faults.ts). */
  private readonly ignoring = new Set<string>();

  ignoreWeights(namespace: string, on: boolean): void {
    if (on) this.ignoring.add(namespace);
    else this.ignoring.delete(namespace);
  }

  /** Where the app's requests go: routing.ts's decision, unless the fault above is on for its namespace. */
  private destinations(service: KubeObject): RouteDestination[] {
    const routed = routeOf(this.store, service);
    return this.ignoring.has(service.metadata.namespace ?? 'default') ? routed.map((d, i) => ({ ...d, weight: i === 0 ? 100 : 0 })) : routed;
  }

  private countersOf(pod: KubeObject): PodCounters {
    const uid = pod.metadata.uid ?? '';
    let counters = this.counters.get(uid);
    if (!counters) {
      counters = {
        pod,
        responses: new Map(),
        buckets: new Array<number>(ISTIO_DURATION_BUCKETS_MS.length + 1).fill(0),
        durationSumMs: 0,
        cpuSeconds: new Map(),
        recentRps: 0,
        carry: { requests: 0, errors: 0, bands: [] },
      };
      this.counters.set(uid, counters);
    }
    return counters;
  }

  /** Counts `requests` (fractional) more requests answered by the pod's image. */
  private serve(counters: PodCounters, requests: number): void {
    const carry = counters.carry;
    carry.requests += requests;
    const n = Math.floor(carry.requests);
    if (n <= 0) return;
    carry.requests -= n;
    const image = podParts(counters.pod).spec.containers?.[0]?.image;
    const behaviour = trafficBehaviourOf(image);
    carry.errors += n * behaviour.errorRatio;
    const errors = Math.min(n, Math.floor(carry.errors + 1e-9));
    carry.errors -= errors;
    const add = (code: string, count: number) => count > 0 && counters.responses.set(code, (counters.responses.get(code) ?? 0) + count);
    add('200', n - errors);
    add('500', errors);
    let placed = 0;
    behaviour.latency.forEach((band, i) => {
      const owed = (carry.bands[i] ?? 0) + n * band.fraction;
      const count = i === behaviour.latency.length - 1 ? n - placed : Math.min(n - placed, Math.floor(owed + 1e-9));
      carry.bands[i] = owed - count;
      placed += count;
      const bucket = ISTIO_DURATION_BUCKETS_MS.findIndex((le) => le >= band.upperMs);
      counters.buckets[bucket < 0 ? ISTIO_DURATION_BUCKETS_MS.length : bucket]! += count;
      counters.durationSumMs += count * ((band.lowerMs + band.upperMs) / 2);
    });
  }
}
