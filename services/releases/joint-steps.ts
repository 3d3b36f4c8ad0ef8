/**
 * Joint releases (`target: JOINT`): pure rules beside the machine. Three phases, in order:
 *   VMS      the build's TARBALL goes to every VM host, one at a time (vm-steps.ts);
 *   CLUSTER  its IMAGE rolls out in the cluster (the environment's Deployment, in place) until
 *            every pod is updated and available;
 *   TRAFFIC  the steps move the load balancer's cloud weight, each started only while both
 *            sides are ready (every VM host CONNECTED, the cluster's pods available), applied when
 *            HAProxy reads the weight back (WEIGHT_APPLIED), then held by `untilPromoted` or
 *            `pauseSeconds` as canary steps are. Past `progressDeadlineSeconds` of waiting for
 *            either (a side not ready, HAProxy unreachable) the release FAILS.
 * On ABORTED or FAILED the split goes back to where it was when the release started, at once.
 */
import type { Effect, NewReleaseEvent, Observation, ReleaseState, ReleaseStep, TransitionResult } from './model.ts';
import { activeStep, nextStep, pauseOf } from './steps.ts';
import { stepVm } from './vm-steps.ts';

/** The joint part of a release's state (in the `state` jsonb). */
export interface JointRollout {
  phase: 'VMS' | 'CLUSTER' | 'TRAFFIC';
  /** The cloud's weight at the load balancer when the release started: where abort puts it back. */
  startCloudWeight: number;
}

/** The load balancer's cloud weight, written then read back. */
export interface SplitEffect {
  type: 'SET_SPLIT';
  cloudWeight: number;
}

type Helpers = {
  finish: (state: ReleaseState, status: 'SUCCEEDED' | 'FAILED', message: string, now: Date) => { state: ReleaseState; events: NewReleaseEvent[] };
  event: (type: 'VM_HOST_UPDATED' | 'PODS_READY' | 'STEP_STARTED' | 'WEIGHT_APPLIED' | 'PAUSED', at: Date, message: string, fields?: { stepIndex?: number | null; weight?: number | null; readyReplicas?: number | null }) => NewReleaseEvent;
  accept: (before: ReleaseState, next: ReleaseState, events: NewReleaseEvent[]) => TransitionResult;
  withStep: (state: ReleaseState, index: number, patch: Partial<ReleaseStep>) => ReleaseState;
};

const label = (step: ReleaseStep) => `${step.index} (${step.weight}% cloud)`;

/** The cloud weight the load balancer should have now; null before the traffic phase. */
export function desiredCloudWeight(state: ReleaseState, joint: JointRollout): number | null {
  if (state.status === 'ABORTED' || state.status === 'FAILED') return joint.startCloudWeight;
  if (state.status === 'SUPERSEDED') return null;
  if (joint.phase !== 'TRAFFIC') return null;
  return state.currentStepIndex === null ? joint.startCloudWeight : state.declaredWeight;
}

/** The cluster's part of a joint release: nothing while the VMs update, then the Deployment in place. */
export function jointClusterEffects(state: ReleaseState, joint: JointRollout): Effect[] {
  if (state.status === 'SUCCEEDED') return [{ type: 'UPDATE_DEPLOYMENT', strategy: 'ROLLING' }, { type: 'PROMOTE_STABLE' }];
  if (state.status === 'ABORTED' || state.status === 'FAILED') return joint.phase === 'VMS' ? [] : [{ type: 'RESTORE_DEPLOYMENT', strategy: 'ROLLING' }];
  if (state.status === 'SUPERSEDED') return [];
  return joint.phase === 'VMS' ? [] : [{ type: 'UPDATE_DEPLOYMENT', strategy: 'ROLLING' }];
}

/** Status message of a joint release in progress. */
export function jointMessage(state: ReleaseState, joint: JointRollout): string {
  if (joint.phase === 'VMS') return `updating VM hosts (${state.vm?.index ?? 0}/${state.vm?.hosts.length ?? 0} done)`;
  if (joint.phase === 'CLUSTER') return 'rolling out in the cluster';
  const step = activeStep(state);
  if (!step) return 'waiting for both sides to be ready';
  if (step.weightAppliedAt === null) return `step ${label(step)}: applying the weight at the load balancer`;
  return `step ${label(step)} applied`;
}

/** One observation of a joint release (see the file's comment). */
export function observeJoint(state: ReleaseState, joint: JointRollout, obs: Observation, now: Date, h: Helpers): TransitionResult {
  if (state.status === 'PAUSED') return appliedOnly(state, joint, obs, now, h);
  const since = state.waitingSince ?? now;
  const overdue = now.getTime() - since.getTime() > state.progressDeadlineSeconds * 1000;
  const fail = (s: ReleaseState, message: string, events: NewReleaseEvent[] = []) => {
    const done = h.finish(s, 'FAILED', message, now);
    return h.accept(state, done.state, [...events, ...done.events]);
  };
  if (joint.phase === 'VMS') {
    const progress = stepVm(state.vm!, obs, since, state.progressDeadlineSeconds, now, h.event);
    const s = { ...state, vm: progress.vm };
    if (progress.kind === 'FAILED') return fail(s, progress.message, progress.events);
    if (progress.kind === 'WAITING') return h.accept(state, { ...s, waitingSince: progress.movedAt ?? since, statusMessage: progress.message }, progress.events);
    const next = { ...s, joint: { ...joint, phase: 'CLUSTER' as const }, waitingSince: now };
    return h.accept(state, { ...next, statusMessage: jointMessage(next, next.joint) }, progress.events);
  }
  if (joint.phase === 'CLUSTER') {
    if (obs.deploymentUpdated && obs.deploymentAvailable) {
      const next = { ...state, joint: { ...joint, phase: 'TRAFFIC' as const }, waitingSince: now };
      const ready = h.event('PODS_READY', now, `all ${obs.stableReadyReplicas} cluster pods updated and available`, { readyReplicas: obs.stableReadyReplicas });
      return h.accept(state, { ...next, statusMessage: jointMessage(next, next.joint) }, [ready]);
    }
    if (overdue) return fail(state, `the cluster's pods were not updated and available within ${state.progressDeadlineSeconds}s; traffic stays where it was`);
    return h.accept(state, { ...state, waitingSince: since }, []);
  }
  const applied = appliedOnly(state, joint, obs, now, h);
  const s = 'next' in applied ? applied.next : state;
  const events = 'next' in applied ? applied.events : [];
  const step = activeStep(s);
  if (step) {
    if (step.weightAppliedAt === null) {
      if (overdue) return fail(s, `the load balancer did not apply step ${label(step)} within ${state.progressDeadlineSeconds}s (HAProxy unreachable or refusing); the split goes back to ${joint.startCloudWeight}% cloud`, events);
      return h.accept(state, s, events);
    }
    const pause = pauseOf(s, step);
    if (pause.kind === 'UNTIL_PROMOTED') {
      const gate = h.event('PAUSED', now, `step ${label(step)} waits for promotion`, { stepIndex: step.index, weight: step.weight });
      const held = { ...h.withStep(s, step.index, { status: 'WAITING_FOR_PROMOTION' }), status: 'PAUSED' as const, statusMessage: `step ${label(step)} waits for promotion` };
      return h.accept(state, held, [...events, gate]);
    }
    if (pause.kind === 'TIMED' && now.getTime() < step.weightAppliedAt.getTime() + pause.seconds * 1000) return h.accept(state, s, events);
    const done = h.withStep(s, step.index, { status: 'DONE', finishedAt: now });
    return h.accept(state, { ...done, waitingSince: now, statusMessage: jointMessage(done, joint) }, events);
  }
  const upcoming = nextStep(s);
  if (!upcoming) {
    const done = h.finish(s, 'SUCCEEDED', `the load balancer sends ${state.declaredWeight}% to the cloud; every VM host and the cluster run the release`, now);
    return h.accept(state, done.state, [...events, ...done.events]);
  }
  const notReady = unready(obs);
  if (notReady) {
    if (overdue) return fail(s, `both sides were not ready for step ${label(upcoming)} within ${state.progressDeadlineSeconds}s: ${notReady}`, events);
    return h.accept(state, { ...s, waitingSince: s.waitingSince ?? now, statusMessage: `waiting for step ${label(upcoming)}: ${notReady}` }, events);
  }
  const started = { ...h.withStep(s, upcoming.index, { status: 'RUNNING', startedAt: now }), currentStepIndex: upcoming.index, declaredWeight: upcoming.weight, waitingSince: now };
  const event = h.event('STEP_STARTED', now, `step ${label(upcoming)} started`, { stepIndex: upcoming.index, weight: upcoming.weight });
  return h.accept(state, { ...started, statusMessage: jointMessage(started, joint) }, [...events, event]);
}

/** Records that HAProxy reads back the active step's weight (once per application). */
function appliedOnly(state: ReleaseState, joint: JointRollout, obs: Observation, now: Date, h: Helpers): TransitionResult {
  const step = activeStep(state);
  if (joint.phase !== 'TRAFFIC' || !step || step.weightAppliedAt !== null || obs.splitCloudWeight !== step.weight) return h.accept(state, state, []);
  const next = h.withStep({ ...state, appliedWeight: step.weight }, step.index, { weightAppliedAt: now });
  const message = `step ${label(step)}: the load balancer reads back ${100 - step.weight}% VMs / ${step.weight}% cloud`;
  return h.accept(state, { ...next, statusMessage: state.status === 'PAUSED' ? state.statusMessage : jointMessage(next, joint) }, [h.event('WEIGHT_APPLIED', now, message, { stepIndex: step.index, weight: step.weight })]);
}

/** Why a side is not ready for the next step; null when both are. */
function unready(obs: Observation): string | null {
  const hosts = (obs.vmHosts ?? []).filter((host) => host.status !== 'CONNECTED');
  const reasons: string[] = [];
  if (hosts.length > 0) reasons.push(`VM host${hosts.length > 1 ? 's' : ''} ${hosts.map((x) => `${x.name} ${x.status}`).join(', ')}`);
  if (!obs.deploymentAvailable) reasons.push('cluster pods not all available');
  return reasons.length ? reasons.join('; ') : null;
}
