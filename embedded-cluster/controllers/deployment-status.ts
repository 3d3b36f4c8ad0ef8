/**
 * Derives a Deployment's status (replica counts and the Available/Progressing conditions)
 * from its ReplicaSets. Pure apart from the in-memory progress tracker it is handed.
 */
import { toKubeTime, type KubeObject } from '../objects.ts';
import type { LabelSelector } from '../selectors.ts';
import { replicaSetParts } from './replicaset.ts';
import { surgeAndUnavailable } from './rollout.ts';

/** The Deployment spec fields the controller reads. */
export interface DeploymentSpecView {
  replicas?: number;
  selector?: LabelSelector;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
}

/** Remembers, per Deployment, when it last made progress (what the deadline is measured from). */
export class ProgressTracker {
  fingerprint = '';
  reason: string | undefined;
  message: string | undefined;

  constructor(public lastProgressMs: number) {}

  /** Records progress now, with the reason and message the Progressing condition should carry. */
  markProgress(atMs: number, message: string, reason: string): void {
    this.lastProgressMs = atMs;
    this.message = message;
    this.reason = reason;
  }
}

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** Inputs of {@link deploymentStatus}. */
export interface DeploymentStatusInput {
  deployment: KubeObject;
  spec: DeploymentSpecView;
  newSet: KubeObject | undefined;
  owned: KubeObject[];
  tracker: ProgressTracker;
  now: Date;
  timeScale: number;
}

function condition(previous: Condition[], type: string, status: Condition['status'], reason: string, message: string, now: string): Condition {
  const existing = previous.find((item) => item.type === type);
  const unchanged = existing && existing.status === status && existing.reason === reason && existing.message === message;
  return {
    type,
    status,
    lastUpdateTime: unchanged ? existing.lastUpdateTime : now,
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : now,
    reason,
    message,
  };
}

/** Returns the status to write and, while a rollout is in flight, when to re-check the progress deadline (simulated ms). */
export function deploymentStatus(input: DeploymentStatusInput): { status: Record<string, unknown>; recheckAfterMs?: number } {
  const { deployment, spec, newSet, owned, tracker, now, timeScale } = input;
  const desired = spec.replicas ?? 1;
  const previous = ((deployment['status'] as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
  const stamp = toKubeTime(now);
  const sum = (pick: (set: KubeObject) => number): number => owned.reduce((total, set) => total + pick(set), 0);
  const replicas = sum((set) => replicaSetParts(set).status.replicas ?? 0);
  const ready = sum((set) => replicaSetParts(set).status.readyReplicas ?? 0);
  const available = sum((set) => replicaSetParts(set).status.availableReplicas ?? 0);
  const specTotal = sum((set) => replicaSetParts(set).spec.replicas ?? 0);
  const updated = newSet ? (replicaSetParts(newSet).status.replicas ?? 0) : 0;
  const oldReplicas = sum((set) => (set === newSet || set.metadata.name === newSet?.metadata.name ? 0 : (replicaSetParts(set).status.replicas ?? 0)));

  const { unavailable } = surgeAndUnavailable(desired, spec.strategy?.rollingUpdate?.maxSurge, spec.strategy?.rollingUpdate?.maxUnavailable);
  const minAvailable = spec.strategy?.type === 'Recreate' ? desired : desired - unavailable;
  const availableCondition =
    available >= minAvailable
      ? condition(previous, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', stamp)
      : condition(previous, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', stamp);

  const setName = newSet?.metadata.name ?? '';
  const complete = newSet !== undefined && updated === desired && available >= desired && oldReplicas === 0 && (replicaSetParts(newSet).status.availableReplicas ?? 0) >= desired;
  const fingerprint = JSON.stringify([deployment.metadata.generation, owned.map((set) => [set.metadata.name, set['spec'] && replicaSetParts(set).spec.replicas, set['status']])]);
  const nowMs = now.getTime();
  if (fingerprint !== tracker.fingerprint) {
    tracker.fingerprint = fingerprint;
    tracker.lastProgressMs = nowMs;
  }
  const deadlineRealMs = (spec.progressDeadlineSeconds ?? 600) * 1000 * timeScale;
  const elapsedRealMs = nowMs - tracker.lastProgressMs;
  let recheckAfterMs: number | undefined;
  let progressing: Condition;
  if (spec.paused) {
    progressing = condition(previous, 'Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', stamp);
  } else if (complete) {
    progressing = condition(previous, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${setName}" has successfully progressed.`, stamp);
  } else if (elapsedRealMs >= deadlineRealMs) {
    progressing = condition(previous, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${setName}" has timed out progressing.`, stamp);
  } else {
    const reason = tracker.reason ?? 'ReplicaSetUpdated';
    const message = tracker.message ?? `ReplicaSet "${setName}" is progressing.`;
    progressing = condition(previous, 'Progressing', 'True', reason, message, stamp);
    tracker.reason = undefined;
    tracker.message = undefined;
    recheckAfterMs = (deadlineRealMs - elapsedRealMs) / timeScale + 1;
  }

  const status: Record<string, unknown> = {
    observedGeneration: deployment.metadata.generation ?? 1,
    replicas,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
    conditions: [availableCondition, progressing],
  };
  const unavailableReplicas = Math.max(specTotal, desired) - available;
  if (unavailableReplicas > 0) status['unavailableReplicas'] = unavailableReplicas;
  const collisionCount = (deployment['status'] as { collisionCount?: number } | undefined)?.collisionCount;
  if (collisionCount !== undefined) status['collisionCount'] = collisionCount;
  const result: { status: Record<string, unknown>; recheckAfterMs?: number } = { status };
  if (recheckAfterMs !== undefined) result.recheckAfterMs = recheckAfterMs;
  return result;
}
