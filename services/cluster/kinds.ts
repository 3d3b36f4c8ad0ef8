/**
 * The kinds Gantry watches on every cluster, and the compact views it caches of them. Keeping
 * only what the API shows (instead of whole objects) holds a cached pod to a few hundred bytes.
 */
import type { PodPhase } from '../../resolvers/types.generated.ts';

/** What every cached view has. */
export interface CachedMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  deleting: boolean;
}

export interface PodView extends CachedMeta {
  /** The SDL's `enum PodPhase`: Kubernetes' phase, upper-cased. */
  phase: PodPhase;
  ready: boolean;
  restarts: number;
  node: string | null;
  startedAt: string | null;
  /** Why a container is waiting (CrashLoopBackOff, ImagePullBackOff…), if it is. */
  waitingReason: string | null;
  /** `status.podIP`, once scheduled (scrape targets of the app's metrics endpoint). */
  ip?: string | null;
}

export interface DeploymentView extends CachedMeta {
  generation: number;
  image: string;
  desiredReplicas: number;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
  /** Reason of the Progressing condition (NewReplicaSetAvailable, ProgressDeadlineExceeded…). */
  progressing: string | null;
}

export interface ServiceView extends CachedMeta {
  selector: Record<string, string>;
}

export interface VirtualServiceView extends CachedMeta {
  /** Destinations of the first HTTP route: where the weights live. */
  destinations: { host: string; subset: string | null; weight: number | null }[];
}

export interface DestinationRuleView extends CachedMeta {
  subsets: { name: string; labels: Record<string, string> }[];
}

export interface HttpRouteView extends CachedMeta {
  backends: { name: string; weight: number }[];
}

type Raw = Record<string, any>;

const iso = (value: unknown): string | null =>
  value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : null;

function meta(obj: Raw): CachedMeta {
  const m = obj.metadata ?? {};
  return {
    name: String(m.name ?? ''),
    namespace: String(m.namespace ?? ''),
    uid: String(m.uid ?? ''),
    resourceVersion: String(m.resourceVersion ?? ''),
    labels: { ...(m.labels ?? {}) },
    deleting: Boolean(m.deletionTimestamp),
  };
}

const PHASES: Record<string, PodView['phase']> = {
  Pending: 'PENDING',
  Running: 'RUNNING',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
};

export function projectPod(obj: Raw): PodView {
  const status = obj.status ?? {};
  const containers: Raw[] = status.containerStatuses ?? [];
  const readyCondition = (status.conditions ?? []).find((c: Raw) => c.type === 'Ready');
  return {
    ...meta(obj),
    phase: PHASES[status.phase] ?? 'UNKNOWN',
    ready: readyCondition?.status === 'True',
    restarts: containers.reduce((sum, c) => sum + Number(c.restartCount ?? 0), 0),
    node: obj.spec?.nodeName ?? null,
    startedAt: iso(status.startTime),
    waitingReason: containers.find((c) => c.state?.waiting?.reason)?.state.waiting.reason ?? null,
    ip: status.podIP ?? null,
  };
}

export function projectDeployment(obj: Raw): DeploymentView {
  const status = obj.status ?? {};
  const progressing = (status.conditions ?? []).find((c: Raw) => c.type === 'Progressing');
  return {
    ...meta(obj),
    generation: Number(obj.metadata?.generation ?? 0),
    image: String(obj.spec?.template?.spec?.containers?.[0]?.image ?? ''),
    desiredReplicas: Number(obj.spec?.replicas ?? 1),
    replicas: Number(status.replicas ?? 0),
    readyReplicas: Number(status.readyReplicas ?? 0),
    updatedReplicas: Number(status.updatedReplicas ?? 0),
    availableReplicas: Number(status.availableReplicas ?? 0),
    observedGeneration: Number(status.observedGeneration ?? 0),
    progressing: progressing?.reason ?? null,
  };
}

export function projectService(obj: Raw): ServiceView {
  return { ...meta(obj), selector: { ...(obj.spec?.selector ?? {}) } };
}

export function projectVirtualService(obj: Raw): VirtualServiceView {
  const route: Raw[] = obj.spec?.http?.[0]?.route ?? [];
  return {
    ...meta(obj),
    destinations: route.map((r) => ({
      host: String(r.destination?.host ?? ''),
      subset: r.destination?.subset ?? null,
      weight: r.weight ?? null,
    })),
  };
}

export function projectDestinationRule(obj: Raw): DestinationRuleView {
  return {
    ...meta(obj),
    subsets: (obj.spec?.subsets ?? []).map((s: Raw) => ({ name: String(s.name), labels: { ...(s.labels ?? {}) } })),
  };
}

export function projectHttpRoute(obj: Raw): HttpRouteView {
  const refs: Raw[] = obj.spec?.rules?.[0]?.backendRefs ?? [];
  return { ...meta(obj), backends: refs.map((r) => ({ name: String(r.name), weight: Number(r.weight ?? 1) })) };
}

/** A watched kind: where to list and watch it, and how to project it. */
export interface KindSpec<T extends CachedMeta> {
  key: string;
  apiVersion: string;
  kind: string;
  /** Cluster-wide collection path, e.g. `/api/v1/pods`. */
  path: string;
  project: (obj: Raw) => T;
}

export const WATCHED_KINDS = {
  pods: { key: 'pods', apiVersion: 'v1', kind: 'Pod', path: '/api/v1/pods', project: projectPod },
  deployments: { key: 'deployments', apiVersion: 'apps/v1', kind: 'Deployment', path: '/apis/apps/v1/deployments', project: projectDeployment },
  services: { key: 'services', apiVersion: 'v1', kind: 'Service', path: '/api/v1/services', project: projectService },
  virtualservices: {
    key: 'virtualservices',
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    path: '/apis/networking.istio.io/v1/virtualservices',
    project: projectVirtualService,
  },
  destinationrules: {
    key: 'destinationrules',
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    path: '/apis/networking.istio.io/v1/destinationrules',
    project: projectDestinationRule,
  },
  httproutes: {
    key: 'httproutes',
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    path: '/apis/gateway.networking.k8s.io/v1/httproutes',
    project: projectHttpRoute,
  },
} as const satisfies Record<string, KindSpec<any>>;

export type WatchedKind = keyof typeof WATCHED_KINDS;
export type ViewOf<K extends WatchedKind> = ReturnType<(typeof WATCHED_KINDS)[K]['project']>;
