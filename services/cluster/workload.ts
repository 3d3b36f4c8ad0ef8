import type { TrafficRouter } from '../../resolvers/types.generated.ts';
import type { AppSnapshot } from './app-index.ts';
import type { PodView } from './kinds.ts';
import { LABELS } from './labels.ts';

/** The SDL's `enum TrafficRouter`. */
export type Router = TrafficRouter;

export interface WorkloadVersionView {
  /** The Deployment running this version. */
  deployment: string;
  version: string;
  image: string;
  /** Pods the Deployment asks for (`spec.replicas`). */
  desiredReplicas: number;
  replicas: number;
  readyReplicas: number;
  trafficWeight: number | null;
}

export interface PodInfo {
  name: string;
  version: string | null;
  phase: PodView['phase'];
  ready: boolean;
  restarts: number;
  node: string | null;
  startedAt: string | null;
}

export interface WorkloadView {
  /**
   * The environment this view was asked for (each subscriber's copy carries its own): the
   * declared replicas and the stable Deployment are read from it fresh for every message.
   */
  environmentId?: string;
  desiredReplicas: number;
  readyReplicas: number;
  versions: WorkloadVersionView[];
  pods: PodInfo[];
}

export function podInfo(pod: PodView): PodInfo {
  return {
    name: pod.name,
    version: pod.labels[LABELS.version] ?? null,
    phase: pod.phase,
    ready: pod.ready,
    restarts: pod.restarts,
    node: pod.node,
    startedAt: pod.startedAt,
  };
}

/**
 * Percent of traffic per version label, read back from the router objects as they are in the
 * cluster: Istio VirtualService route weights resolved through DestinationRule subsets, or
 * Gateway API HTTPRoute backend weights resolved through each backend Service's selector.
 * Null when the app has no router object.
 */
export function trafficByVersion(snapshot: AppSnapshot, app: string, router: Router): Map<string, number> | null {
  const weights = new Map<string, number>();
  const add = (version: string | undefined, weight: number) => {
    if (version) weights.set(version, (weights.get(version) ?? 0) + weight);
  };
  if (router === 'ISTIO') {
    const vs = snapshot.virtualServices.find((v) => v.name === app);
    if (!vs) return null;
    const subsets = new Map(
      snapshot.destinationRules.filter((d) => d.name === app).flatMap((d) => d.subsets.map((s) => [s.name, s.labels] as const)),
    );
    const single = vs.destinations.length === 1;
    for (const d of vs.destinations) {
      const weight = d.weight ?? (single ? 100 : 0);
      if (d.subset) add(subsets.get(d.subset)?.[LABELS.version], weight);
    }
    return weights;
  }
  const route = snapshot.httpRoutes.find((r) => r.name === app);
  if (!route) return null;
  const total = route.backends.reduce((sum, b) => sum + b.weight, 0);
  for (const backend of route.backends) {
    const service = snapshot.services.find((s) => s.name === backend.name);
    add(service?.selector[LABELS.version], total > 0 ? Math.round((backend.weight * 100) / total) : 0);
  }
  return weights;
}

/** The API's Workload, from the cached objects of one app in one namespace. */
export function buildWorkload(snapshot: AppSnapshot, app: string, router: Router): WorkloadView {
  const traffic = trafficByVersion(snapshot, app, router);
  const versions = snapshot.deployments
    .filter((d) => !d.deleting)
    .map((d) => {
      const version = d.labels[LABELS.version] ?? d.name;
      return {
        deployment: d.name,
        version,
        image: d.image,
        desiredReplicas: d.desiredReplicas,
        replicas: d.replicas,
        readyReplicas: d.readyReplicas,
        trafficWeight: traffic ? (traffic.get(version) ?? 0) : null,
      };
    });
  const live = snapshot.deployments.filter((d) => !d.deleting);
  return {
    desiredReplicas: live.reduce((sum, d) => sum + d.desiredReplicas, 0),
    readyReplicas: live.reduce((sum, d) => sum + d.readyReplicas, 0),
    versions,
    pods: snapshot.pods.map(podInfo),
  };
}

/**
 * `spec.replicas` of the environment's stable Deployment as the watch sees it, and whether it
 * differs from the declared replicas (someone ran `kubectl scale`, or a scale is still on its
 * way). Null and no drift before the first release, or when the Deployment is missing.
 */
export function stableReplicasOf(view: WorkloadView, stableDeployment: string | null, declared: number): { stableReplicas: number | null; drift: boolean } {
  const stable = stableDeployment ? view.versions.find((v) => v.deployment === stableDeployment) : undefined;
  if (!stable) return { stableReplicas: null, drift: false };
  return { stableReplicas: stable.desiredReplicas, drift: stable.desiredReplicas !== declared };
}
