/**
 * Pure functions that derive the next simulated state of a pod from its current one: the
 * transitions a scheduler and a kubelet would produce. No I/O, no timers; the pod
 * controller decides when to apply them.
 */
import { randomBytes } from 'node:crypto';
import { toKubeTime, type KubeObject } from '../objects.ts';

/** How a container behaves, decided by markers in its image tag. */
export type ContainerBehaviour = 'normal' | 'unready' | 'crashloop' | 'fail';

/** Returns the behaviour an image asks for: tags containing `unready`, `crashloop` or `fail`. */
export function behaviourOf(image: string | undefined): ContainerBehaviour {
  const tag = (image ?? '').split('/').pop()?.split(':')[1] ?? '';
  if (tag.includes('crashloop')) return 'crashloop';
  if (tag.includes('unready')) return 'unready';
  if (tag.includes('fail')) return 'fail';
  return 'normal';
}

/** The simulated nodes pods are scheduled to. */
export const NODE_NAMES = ['embedded-node-1', 'embedded-node-2', 'embedded-node-3'] as const;

/** The InternalIP of a simulated node. */
export function nodeIp(nodeName: string): string {
  const index = NODE_NAMES.indexOf(nodeName as (typeof NODE_NAMES)[number]);
  return `192.168.49.${index < 0 ? 2 : index + 2}`;
}

/** A container of a pod spec, as far as the simulation cares. */
export interface ContainerSpec {
  name: string;
  image?: string;
}

/** `status.containerStatuses[]`. */
export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: Record<string, Record<string, unknown>>;
  lastState: Record<string, Record<string, unknown>>;
}

/** `status.conditions[]`. */
export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
}

/** `status` of a pod. */
export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  hostIP?: string;
  hostIPs?: Array<{ ip: string }>;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  qosClass?: string;
}

/** The pod spec fields the simulation reads. */
export interface PodSpecView {
  nodeName?: string;
  restartPolicy?: string;
  containers?: ContainerSpec[];
  terminationGracePeriodSeconds?: number;
}

/** Returns the spec and status of a pod, typed. */
export function podParts(pod: KubeObject): { spec: PodSpecView; status: PodStatus } {
  return { spec: (pod['spec'] ?? {}) as PodSpecView, status: (pod['status'] ?? {}) as PodStatus };
}

/** Sets a condition, keeping lastTransitionTime when the status does not change. */
export function withCondition(conditions: PodCondition[] | undefined, type: string, status: PodCondition['status'], now: Date, reason?: string): PodCondition[] {
  const existing = conditions?.find((condition) => condition.type === type);
  const next: PodCondition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : toKubeTime(now),
  };
  if (reason) next.reason = reason;
  return [...(conditions ?? []).filter((condition) => condition.type !== type), next];
}

function imageId(image: string): string {
  const repository = image.split(':')[0] ?? image;
  const qualified = repository.includes('/') ? repository : `docker.io/library/${repository}`;
  return `${qualified}@sha256:${randomBytes(32).toString('hex')}`;
}

/** A container that has just started running. */
export function runningContainer(container: ContainerSpec, now: Date, previous?: ContainerStatus): ContainerStatus {
  const image = container.image ?? '';
  return {
    name: container.name,
    image,
    imageID: previous?.imageID ?? imageId(image),
    containerID: `containerd://${randomBytes(32).toString('hex')}`,
    ready: false,
    started: true,
    restartCount: previous?.restartCount ?? 0,
    state: { running: { startedAt: toKubeTime(now) } },
    lastState: previous?.lastState ?? {},
  };
}

/** A container that exited; `restarting` puts it into CrashLoopBackOff instead of leaving it terminated. */
export function exitedContainer(status: ContainerStatus, exitCode: number, now: Date, restarting: { backOffSeconds: number; podRef: string } | undefined): ContainerStatus {
  const terminated = {
    exitCode,
    reason: exitCode === 0 ? 'Completed' : 'Error',
    startedAt: status.state['running']?.['startedAt'] ?? toKubeTime(now),
    finishedAt: toKubeTime(now),
    containerID: status.containerID ?? '',
  };
  if (!restarting) return { ...status, ready: false, started: false, state: { terminated } };
  return {
    ...status,
    ready: false,
    started: false,
    restartCount: status.restartCount + 1,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${restarting.backOffSeconds}s restarting failed container=${status.name} pod=${restarting.podRef}`,
      },
    },
    lastState: { terminated },
  };
}

/** Recomputes the Ready/ContainersReady conditions from the container statuses. */
export function withReadiness(status: PodStatus, now: Date): PodStatus {
  const containers = status.containerStatuses ?? [];
  const ready = containers.length > 0 && containers.every((container) => container.ready);
  let conditions = withCondition(status.conditions, 'ContainersReady', ready ? 'True' : 'False', now, ready ? undefined : 'ContainersNotReady');
  conditions = withCondition(conditions, 'Ready', ready ? 'True' : 'False', now, ready ? undefined : 'ContainersNotReady');
  return { ...status, conditions };
}

/** Returns true when the pod counts as Ready (its Ready condition is True). */
export function isPodReady(pod: KubeObject): boolean {
  const { status } = podParts(pod);
  return status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}

/** Returns true for pods that still count towards a workload (not finished, not being deleted). */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podParts(pod).status.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}
