import { describe, expect, it } from 'vitest';
import { derivePhase, desiredEffects, startRelease, transition } from '../../../services/releases/machine.ts';
import { DEFAULT_CANARY_STEPS, FINAL_RELEASE_STATUSES } from '../../../services/releases/model.ts';
import type {
  Effect,
  MachineError,
  NewReleaseEvent,
  Observation,
  ReleaseCommand,
  ReleaseEventType,
  ReleaseInput,
  ReleasePlan,
  ReleaseState,
  ReleaseStatus,
  ReleaseStep,
  ReleaseStepSpec,
  StepStatus,
  Transition,
  TransitionResult,
} from '../../../services/releases/model.ts';

// ------------------------------------------------------------------ builders

const T0 = new Date('2025-03-01T10:00:00.000Z');
const after = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const spec = (weight: number, pause: Partial<ReleaseStepSpec> = {}): ReleaseStepSpec => ({
  weight,
  pauseSeconds: null,
  untilPromoted: false,
  ...pause,
});
const NO_PAUSES = [spec(20), spec(60), spec(100)];
const TIMED = [spec(20, { pauseSeconds: 60 }), spec(60), spec(100)];
const FULL = [spec(100)];

function stepsFrom(specs: readonly ReleaseStepSpec[]): ReleaseStep[] {
  return specs.map((s, index) => ({ ...s, index, status: 'PENDING', startedAt: null, finishedAt: null, weightAppliedAt: null }));
}

/** A CANARY release waiting for its pods: default steps 10 (gate) → 50 (gate) → 100, 2 canary pods, 4 replicas. */
function aRelease(overrides: Partial<ReleaseState> = {}): ReleaseState {
  return {
    strategy: 'CANARY',
    status: 'PENDING',
    statusMessage: null,
    steps: stepsFrom(DEFAULT_CANARY_STEPS),
    currentStepIndex: null,
    declaredWeight: 0,
    appliedWeight: null,
    canaryReadyReplicas: 0,
    canaryReplicas: 2,
    replicas: 4,
    progressDeadlineSeconds: 600,
    isRollback: false,
    waitingSince: T0,
    createdAt: T0,
    finishedAt: null,
    ...overrides,
  };
}

interface At {
  step?: StepStatus;
  applied?: boolean;
  specs?: readonly ReleaseStepSpec[];
}

/** Overrides for a release whose step `index` has started at T0 (earlier steps DONE, pods ready). */
function atStep(index: number, { step = 'RUNNING', applied = step !== 'RUNNING', specs = DEFAULT_CANARY_STEPS }: At = {}) {
  const steps = stepsFrom(specs).map((s): ReleaseStep => {
    if (s.index < index) return { ...s, status: 'DONE', startedAt: T0, finishedAt: T0, weightAppliedAt: T0 };
    if (s.index === index) return { ...s, status: step, startedAt: T0, weightAppliedAt: applied ? T0 : null };
    return s;
  });
  const weight = specs[index]?.weight ?? 0;
  return {
    steps,
    currentStepIndex: index,
    declaredWeight: weight,
    appliedWeight: applied ? weight : (specs[index - 1]?.weight ?? 0),
    canaryReadyReplicas: weight === 100 ? 4 : 2,
    waitingSince: null,
    status: step === 'WAITING_FOR_PROMOTION' ? 'PAUSED' : 'PROGRESSING',
  } satisfies Partial<ReleaseState>;
}

/** What the reconcile loop reads: by default 2 ready canary pods, router in place, weight 0. */
function observed(overrides: Partial<Observation> = {}): Observation {
  return {
    type: 'OBSERVED',
    routerReady: true,
    appliedCanaryWeight: 0,
    canaryReadyReplicas: 2,
    canaryDesiredReplicas: 2,
    stableReadyReplicas: 4,
    deploymentUpdated: false,
    deploymentAvailable: false,
    ...overrides,
  };
}

const pending = aRelease();
const running = aRelease(atStep(0));
const gated = aRelease(atStep(1, { step: 'WAITING_FOR_PROMOTION' }));
const gatedAtFirst = aRelease(atStep(0, { step: 'WAITING_FOR_PROMOTION' }));
const pausedByUser = aRelease({ ...atStep(0), status: 'PAUSED' });
const pausedAtAppliedStep = aRelease({ ...atStep(0, { applied: true }), status: 'PAUSED' });
const pausedPending = aRelease({ status: 'PAUSED' });
const betweenSteps = aRelease(atStep(0, { step: 'DONE' }));
const podsLost = aRelease({ ...atStep(1), declaredWeight: 0, canaryReadyReplicas: 0, waitingSince: T0 });
const rolling = aRelease({ ...atStep(0, { specs: FULL }), strategy: 'ROLLING', waitingSince: T0, canaryReadyReplicas: 0 });
const recreate = aRelease({ ...rolling, strategy: 'RECREATE' });
const finished: Record<(typeof FINAL_RELEASE_STATUSES)[number], ReleaseState> = {
  SUCCEEDED: aRelease({ ...atStep(2, { step: 'DONE' }), status: 'SUCCEEDED', declaredWeight: 100, finishedAt: T0 }),
  ABORTED: aRelease({ status: 'ABORTED', statusMessage: 'bad', finishedAt: T0 }),
  FAILED: aRelease({ status: 'FAILED', statusMessage: 'late', finishedAt: T0 }),
  SUPERSEDED: aRelease({ status: 'SUPERSEDED', finishedAt: T0 }),
};

function accepted(result: TransitionResult): Transition {
  if ('error' in result) throw new Error(`expected a transition, got ${result.error.reason}: ${result.error.message}`);
  return result;
}

function refused(result: TransitionResult): MachineError {
  if (!('error' in result)) throw new Error(`expected an error, got status ${result.next.status}`);
  return result.error;
}

const types = (events: readonly NewReleaseEvent[]): ReleaseEventType[] => events.map((e) => e.type);
const stepStatuses = (state: ReleaseState): StepStatus[] => state.steps.map((s) => s.status);

// ------------------------------------------------------------------ startRelease

const canaryPlan: ReleasePlan = {
  strategy: 'CANARY',
  steps: DEFAULT_CANARY_STEPS,
  canaryReplicas: 2,
  replicas: 4,
  progressDeadlineSeconds: 600,
  isRollback: false,
};

describe('startRelease', () => {
  it('a CANARY release starts PENDING with no weight and asks for its pods and router', () => {
    const { next, effects, events } = startRelease(canaryPlan, T0);
    expect(next).toMatchObject({ status: 'PENDING', currentStepIndex: null, declaredWeight: 0, waitingSince: T0, createdAt: T0 });
    expect(stepStatuses(next)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(effects).toEqual([{ type: 'ENSURE_CANARY', replicas: 2 }, { type: 'ENSURE_ROUTER' }, { type: 'SET_WEIGHT', canaryWeight: 0 }]);
    expect(events).toEqual([
      { type: 'CREATED', at: T0, message: 'CANARY release: 10% (until promoted) → 50% (until promoted) → 100%', stepIndex: null, weight: null, readyReplicas: null },
    ]);
  });

  it.each(['ROLLING', 'RECREATE'] as const)('a %s release starts its single step at once and updates the Deployment', (strategy) => {
    const { next, effects, events } = startRelease({ ...canaryPlan, strategy, steps: FULL }, T0);
    expect(next).toMatchObject({ status: 'PROGRESSING', currentStepIndex: 0, declaredWeight: 100, waitingSince: T0 });
    expect(stepStatuses(next)).toEqual(['RUNNING']);
    expect(effects).toEqual([{ type: 'UPDATE_DEPLOYMENT', strategy }]);
    expect(types(events)).toEqual(['CREATED', 'STEP_STARTED']);
    expect(events[1]).toMatchObject({ stepIndex: 0, weight: 100 });
  });

  it('a rollback says so in its CREATED event', () => {
    const { events } = startRelease({ ...canaryPlan, steps: NO_PAUSES, isRollback: true }, T0);
    expect(events[0]?.message).toBe('rollback CANARY release: 20% → 60% → 100%');
  });
});

// ------------------------------------------------------------------ observations

interface ObservationCase {
  rule: string;
  from: ReleaseState;
  obs: Partial<Observation>;
  now?: Date;
  status: ReleaseStatus;
  declared: number;
  events: ReleaseEventType[];
  steps?: StepStatus[];
}

const full = { canaryReadyReplicas: 4, canaryDesiredReplicas: 4 };
const timedAt = (applied: boolean, isRollback = false) => aRelease({ ...atStep(0, { specs: TIMED, applied }), isRollback });

const observationCases: ObservationCase[] = [
  { rule: 'pods not all ready keep the release pending with no weight', from: pending, obs: { canaryReadyReplicas: 1 }, status: 'PENDING', declared: 0, events: ['POD_CHANGED'], steps: ['PENDING', 'PENDING', 'PENDING'] },
  { rule: 'all canary pods ready with the router in place start the first step', from: pending, obs: {}, status: 'PROGRESSING', declared: 10, events: ['PODS_READY', 'STEP_STARTED'], steps: ['RUNNING', 'PENDING', 'PENDING'] },
  { rule: 'ready pods without router subsets shift no weight', from: pending, obs: { routerReady: false }, status: 'PENDING', declared: 0, events: ['PODS_READY'] },
  { rule: 'ready pods the Deployment does not count yet shift no weight', from: pending, obs: { canaryDesiredReplicas: 1 }, status: 'PENDING', declared: 0, events: ['PODS_READY'] },
  { rule: 'pods not ready past progressDeadlineSeconds fail the release with traffic on stable', from: aRelease({ canaryReadyReplicas: 1 }), obs: { canaryReadyReplicas: 1 }, now: after(601), status: 'FAILED', declared: 0, events: ['FAILED'], steps: ['SKIPPED', 'SKIPPED', 'SKIPPED'] },
  { rule: 'the deadline is not past at exactly progressDeadlineSeconds', from: aRelease({ canaryReadyReplicas: 1 }), obs: { canaryReadyReplicas: 1 }, now: after(600), status: 'PENDING', declared: 0, events: [] },
  { rule: 'a release-specific progressDeadlineSeconds is honoured', from: aRelease({ canaryReadyReplicas: 1, progressDeadlineSeconds: 30 }), obs: { canaryReadyReplicas: 1 }, now: after(31), status: 'FAILED', declared: 0, events: ['FAILED'] },
  { rule: 'a missing router past the deadline fails the release too', from: aRelease({ canaryReadyReplicas: 2 }), obs: { routerReady: false }, now: after(601), status: 'FAILED', declared: 0, events: ['FAILED'] },
  { rule: 'a step waits until the router reads back its weight', from: running, obs: { appliedCanaryWeight: 0 }, status: 'PROGRESSING', declared: 10, events: [], steps: ['RUNNING', 'PENDING', 'PENDING'] },
  { rule: 'an unreadable router weight records nothing', from: running, obs: { appliedCanaryWeight: null }, status: 'PROGRESSING', declared: 10, events: [] },
  { rule: 'a read-back weight at an untilPromoted step waits for promotion', from: running, obs: { appliedCanaryWeight: 10 }, status: 'PAUSED', declared: 10, events: ['WEIGHT_APPLIED', 'PAUSED'], steps: ['WAITING_FOR_PROMOTION', 'PENDING', 'PENDING'] },
  { rule: 'a step without a pause moves on as soon as its weight reads back', from: aRelease(atStep(0, { specs: NO_PAUSES })), obs: { appliedCanaryWeight: 20 }, status: 'PROGRESSING', declared: 60, events: ['WEIGHT_APPLIED', 'STEP_STARTED'], steps: ['DONE', 'RUNNING', 'PENDING'] },
  { rule: 'the 100% step read back makes the release succeed', from: aRelease(atStep(2)), obs: { ...full, appliedCanaryWeight: 100 }, status: 'SUCCEEDED', declared: 100, events: ['WEIGHT_APPLIED', 'SUCCEEDED'], steps: ['DONE', 'DONE', 'DONE'] },
  { rule: 'after a promotion the next step starts on the next observation', from: betweenSteps, obs: { appliedCanaryWeight: 10 }, status: 'PROGRESSING', declared: 50, events: ['STEP_STARTED'], steps: ['DONE', 'RUNNING', 'PENDING'] },
  { rule: 'the 100% step waits until the canary has the full replica count', from: aRelease(atStep(1, { step: 'DONE' })), obs: { canaryDesiredReplicas: 4, appliedCanaryWeight: 50 }, status: 'PROGRESSING', declared: 50, events: [], steps: ['DONE', 'DONE', 'PENDING'] },
  { rule: 'the 100% step starts once the full replica count is ready', from: aRelease(atStep(1, { step: 'DONE' })), obs: { ...full, appliedCanaryWeight: 50 }, status: 'PROGRESSING', declared: 100, events: ['PODS_READY', 'STEP_STARTED'], steps: ['DONE', 'DONE', 'RUNNING'] },
  { rule: 'scaling up for 100% past the deadline fails the release', from: aRelease({ ...atStep(1, { step: 'DONE' }), waitingSince: T0 }), obs: { canaryDesiredReplicas: 4, appliedCanaryWeight: 50 }, now: after(601), status: 'FAILED', declared: 0, events: ['FAILED'], steps: ['DONE', 'DONE', 'SKIPPED'] },
  { rule: 'a gate holds on every observation until promoted', from: gated, obs: { appliedCanaryWeight: 50 }, status: 'PAUSED', declared: 50, events: [] },
  { rule: 'a gate does not fail on the deadline', from: gated, obs: { appliedCanaryWeight: 50 }, now: after(100_000), status: 'PAUSED', declared: 50, events: [] },
  { rule: 'a user pause still records the weight read back but does not enter the gate', from: pausedByUser, obs: { appliedCanaryWeight: 10 }, status: 'PAUSED', declared: 10, events: ['WEIGHT_APPLIED'], steps: ['RUNNING', 'PENDING', 'PENDING'] },
  { rule: 'a user pause holds a pending release even when its pods are ready', from: pausedPending, obs: {}, status: 'PAUSED', declared: 0, events: ['PODS_READY'], steps: ['PENDING', 'PENDING', 'PENDING'] },
  { rule: 'the progress deadline does not run while paused by the user', from: aRelease({ status: 'PAUSED', canaryReadyReplicas: 1 }), obs: { canaryReadyReplicas: 1 }, now: after(100_000), status: 'PAUSED', declared: 0, events: [] },
  { rule: 'canary pods dropping to zero at a gate route all traffic back to stable', from: gated, obs: { canaryReadyReplicas: 0, appliedCanaryWeight: 50 }, status: 'PROGRESSING', declared: 0, events: ['POD_CHANGED'], steps: ['DONE', 'RUNNING', 'PENDING'] },
  { rule: 'canary pods dropping to zero during a user pause withdraw the weight and keep the pause', from: pausedAtAppliedStep, obs: { canaryReadyReplicas: 0, appliedCanaryWeight: 10 }, status: 'PAUSED', declared: 0, events: ['POD_CHANGED'] },
  { rule: 'canary pods dropping to zero between steps withdraw the weight', from: betweenSteps, obs: { canaryReadyReplicas: 0, appliedCanaryWeight: 10 }, status: 'PROGRESSING', declared: 0, events: ['POD_CHANGED'], steps: ['DONE', 'PENDING', 'PENDING'] },
  { rule: 'canary pods coming back restore the step weight without restarting the step', from: podsLost, obs: { appliedCanaryWeight: 0 }, status: 'PROGRESSING', declared: 50, events: ['PODS_READY'], steps: ['DONE', 'RUNNING', 'PENDING'] },
  { rule: 'canary pods still gone keep the weight on stable', from: podsLost, obs: { canaryReadyReplicas: 0 }, now: after(600), status: 'PROGRESSING', declared: 0, events: [] },
  { rule: 'canary pods not back within the deadline fail the release', from: podsLost, obs: { canaryReadyReplicas: 0 }, now: after(601), status: 'FAILED', declared: 0, events: ['FAILED'] },
  { rule: 'a partial drop of canary pods is recorded and keeps the weight', from: gated, obs: { canaryReadyReplicas: 1, appliedCanaryWeight: 50 }, status: 'PAUSED', declared: 50, events: ['POD_CHANGED'] },
  { rule: 'a timed pause holds the step until pauseSeconds have passed', from: timedAt(true), obs: { appliedCanaryWeight: 20 }, now: after(59), status: 'PROGRESSING', declared: 20, events: [] },
  { rule: 'a timed pause ends after pauseSeconds and the next step starts', from: timedAt(true), obs: { appliedCanaryWeight: 20 }, now: after(60), status: 'PROGRESSING', declared: 60, events: ['STEP_STARTED'], steps: ['DONE', 'RUNNING', 'PENDING'] },
  { rule: 'a timed pause counts from the weight read back, not from the step start', from: timedAt(false), obs: { appliedCanaryWeight: 20 }, now: after(120), status: 'PROGRESSING', declared: 20, events: ['WEIGHT_APPLIED'], steps: ['RUNNING', 'PENDING', 'PENDING'] },
  { rule: 'a rollback skips untilPromoted gates', from: aRelease({ ...atStep(0), isRollback: true }), obs: { appliedCanaryWeight: 10 }, status: 'PROGRESSING', declared: 50, events: ['WEIGHT_APPLIED', 'STEP_STARTED'] },
  { rule: 'a rollback skips timed pauses', from: timedAt(false, true), obs: { appliedCanaryWeight: 20 }, status: 'PROGRESSING', declared: 60, events: ['WEIGHT_APPLIED', 'STEP_STARTED'] },
  { rule: 'a first release goes straight to 100% once all pods are ready', from: aRelease({ steps: stepsFrom(FULL) }), obs: full, status: 'PROGRESSING', declared: 100, events: ['PODS_READY', 'STEP_STARTED'], steps: ['RUNNING'] },
  { rule: 'a first release does not take traffic with only canaryReplicas ready', from: aRelease({ steps: stepsFrom(FULL) }), obs: {}, status: 'PENDING', declared: 0, events: ['POD_CHANGED'] },
  { rule: 'a ROLLING release waits while the Deployment rolls', from: rolling, obs: { deploymentUpdated: true }, status: 'PROGRESSING', declared: 100, events: [], steps: ['RUNNING'] },
  { rule: 'a ROLLING release succeeds when every replica is updated and available', from: rolling, obs: { deploymentUpdated: true, deploymentAvailable: true }, status: 'SUCCEEDED', declared: 100, events: ['PODS_READY', 'SUCCEEDED'], steps: ['DONE'] },
  { rule: 'a RECREATE release succeeds when every replica is updated and available', from: recreate, obs: { deploymentUpdated: true, deploymentAvailable: true }, status: 'SUCCEEDED', declared: 100, events: ['PODS_READY', 'SUCCEEDED'] },
  { rule: 'a ROLLING release not rolled out past the deadline fails', from: rolling, obs: {}, now: after(601), status: 'FAILED', declared: 0, events: ['FAILED'], steps: ['SKIPPED'] },
];

describe('observations', () => {
  it.each(observationCases)('$rule', ({ from, obs, now = after(10), status, declared, events, steps }) => {
    const { next, effects } = accepted(transition(from, observed(obs), now));
    expect(next.status).toBe(status);
    expect(next.declaredWeight).toBe(declared);
    expect(types(accepted(transition(from, observed(obs), now)).events)).toEqual(events);
    if (steps) expect(stepStatuses(next)).toEqual(steps);
    if (next !== from) expect(effects).toEqual(desiredEffects(next));
  });

  it.each(Object.entries(finished))('observing a %s release changes nothing and runs nothing', (_status, release) => {
    expect(transition(release, observed({ canaryReadyReplicas: 0 }), after(10_000))).toEqual({ next: release, effects: [], events: [] });
  });

  it('an observation that changes nothing returns the same state, no effects and no events', () => {
    expect(transition(gated, observed({ appliedCanaryWeight: 50 }), after(10))).toEqual({ next: gated, effects: [], events: [] });
  });

  it('WEIGHT_APPLIED records the weight read back, its step and the ready pods', () => {
    const { events } = accepted(transition(running, observed({ appliedCanaryWeight: 10 }), after(5)));
    expect(events[0]).toEqual({ type: 'WEIGHT_APPLIED', at: after(5), message: 'step 0 (10%): router reads back 10%', stepIndex: 0, weight: 10, readyReplicas: 2 });
    expect(events[1]).toMatchObject({ type: 'PAUSED', stepIndex: 0, weight: 10 });
  });

  it('STEP_STARTED records the step index and its weight', () => {
    const { next, events } = accepted(transition(pending, observed(), after(5)));
    expect(events[1]).toEqual({ type: 'STEP_STARTED', at: after(5), message: 'step 0 (10%) started', stepIndex: 0, weight: 10, readyReplicas: null });
    expect(next.steps[0]).toMatchObject({ startedAt: after(5), weightAppliedAt: null });
    expect(next).toMatchObject({ currentStepIndex: 0, waitingSince: null });
  });

  it('losing every canary pod records one event that says traffic went back to stable', () => {
    const { next, events } = accepted(transition(gated, observed({ canaryReadyReplicas: 0, appliedCanaryWeight: 50 }), after(5)));
    expect(events).toEqual([{ type: 'POD_CHANGED', at: after(5), message: 'no canary pods ready: all traffic back to stable', stepIndex: 1, weight: 0, readyReplicas: 0 }]);
    expect(next.steps[1]).toMatchObject({ status: 'RUNNING', weightAppliedAt: null });
    expect(next.waitingSince).toEqual(after(5));
  });

  it('a step whose pods came back records WEIGHT_APPLIED again and re-enters its gate', () => {
    const restored = accepted(transition(podsLost, observed(), after(5))).next;
    const { next, events } = accepted(transition(restored, observed({ appliedCanaryWeight: 50 }), after(6)));
    expect(types(events)).toEqual(['WEIGHT_APPLIED', 'PAUSED']);
    expect(next.status).toBe('PAUSED');
  });

  it('the applied weight read back is kept on the release', () => {
    expect(accepted(transition(running, observed({ appliedCanaryWeight: 0 }), after(5))).next.appliedWeight).toBe(0);
  });
});

// ------------------------------------------------------------------ commands

interface CommandCase {
  rule: string;
  from: ReleaseState;
  command: ReleaseCommand;
  status: ReleaseStatus;
  declared: number;
  events: ReleaseEventType[];
  steps?: StepStatus[];
}

const commandCases: CommandCase[] = [
  { rule: 'abort while waiting for pods routes all traffic to stable', from: pending, command: { type: 'ABORT', reason: 'bad build' }, status: 'ABORTED', declared: 0, events: ['ABORTED'], steps: ['SKIPPED', 'SKIPPED', 'SKIPPED'] },
  { rule: 'abort at a running step takes its weight back to 0', from: running, command: { type: 'ABORT' }, status: 'ABORTED', declared: 0, events: ['ABORTED'], steps: ['SKIPPED', 'SKIPPED', 'SKIPPED'] },
  { rule: 'abort at a gate keeps the steps already done', from: gated, command: { type: 'ABORT' }, status: 'ABORTED', declared: 0, events: ['ABORTED'], steps: ['DONE', 'SKIPPED', 'SKIPPED'] },
  { rule: 'abort during a user pause', from: pausedByUser, command: { type: 'ABORT' }, status: 'ABORTED', declared: 0, events: ['ABORTED'] },
  { rule: 'abort after the canary lost its pods', from: podsLost, command: { type: 'ABORT' }, status: 'ABORTED', declared: 0, events: ['ABORTED'] },
  { rule: 'abort of a ROLLING release', from: rolling, command: { type: 'ABORT' }, status: 'ABORTED', declared: 0, events: ['ABORTED'], steps: ['SKIPPED'] },
  { rule: 'supersede while waiting for pods', from: pending, command: { type: 'SUPERSEDE' }, status: 'SUPERSEDED', declared: 0, events: ['SUPERSEDED'] },
  { rule: 'supersede at a gate', from: gated, command: { type: 'SUPERSEDE' }, status: 'SUPERSEDED', declared: 0, events: ['SUPERSEDED'], steps: ['DONE', 'SKIPPED', 'SKIPPED'] },
  { rule: 'supersede of a ROLLING release', from: rolling, command: { type: 'SUPERSEDE' }, status: 'SUPERSEDED', declared: 0, events: ['SUPERSEDED'] },
  { rule: 'promote at a gate finishes the step and keeps its weight until the next starts', from: gated, command: { type: 'PROMOTE' }, status: 'PROGRESSING', declared: 50, events: ['PROMOTED'], steps: ['DONE', 'DONE', 'PENDING'] },
  { rule: 'promote naming the current step is accepted', from: gated, command: { type: 'PROMOTE', expectedStepIndex: 1 }, status: 'PROGRESSING', declared: 50, events: ['PROMOTED'] },
  { rule: 'promote fully at a gate skips the remaining steps but the last', from: gatedAtFirst, command: { type: 'PROMOTE_FULLY' }, status: 'PROGRESSING', declared: 10, events: ['PROMOTED'], steps: ['DONE', 'SKIPPED', 'PENDING'] },
  { rule: 'promote fully while waiting for pods still waits for them', from: pending, command: { type: 'PROMOTE_FULLY' }, status: 'PENDING', declared: 0, events: ['PROMOTED'], steps: ['SKIPPED', 'SKIPPED', 'PENDING'] },
  { rule: 'promote fully lifts a user pause', from: pausedAtAppliedStep, command: { type: 'PROMOTE_FULLY' }, status: 'PROGRESSING', declared: 10, events: ['PROMOTED'], steps: ['DONE', 'SKIPPED', 'PENDING'] },
  { rule: 'promote fully skips a running step whose weight never read back', from: running, command: { type: 'PROMOTE_FULLY' }, status: 'PROGRESSING', declared: 10, events: ['PROMOTED'], steps: ['SKIPPED', 'SKIPPED', 'PENDING'] },
  { rule: 'promote fully after pods were lost still waits for the full replica count', from: podsLost, command: { type: 'PROMOTE_FULLY' }, status: 'PROGRESSING', declared: 0, events: ['PROMOTED'], steps: ['DONE', 'SKIPPED', 'PENDING'] },
  { rule: 'pause while waiting for pods', from: pending, command: { type: 'PAUSE' }, status: 'PAUSED', declared: 0, events: ['PAUSED'] },
  { rule: 'pause at a running step holds its weight', from: running, command: { type: 'PAUSE' }, status: 'PAUSED', declared: 10, events: ['PAUSED'], steps: ['RUNNING', 'PENDING', 'PENDING'] },
  { rule: 'pause of a rollback release is allowed', from: aRelease({ ...atStep(0), isRollback: true }), command: { type: 'PAUSE' }, status: 'PAUSED', declared: 10, events: ['PAUSED'] },
  { rule: 'resume a user pause at a step', from: pausedByUser, command: { type: 'RESUME' }, status: 'PROGRESSING', declared: 10, events: ['RESUMED'] },
  { rule: 'resume a paused release that never started returns it to PENDING', from: pausedPending, command: { type: 'RESUME' }, status: 'PENDING', declared: 0, events: ['RESUMED'] },
];

describe('commands', () => {
  it.each(commandCases)('$rule', ({ from, command, status, declared, events, steps }) => {
    const { next, effects, events: written } = accepted(transition(from, command, after(10)));
    expect(next.status).toBe(status);
    expect(next.declaredWeight).toBe(declared);
    expect(types(written)).toEqual(events);
    if (steps) expect(stepStatuses(next)).toEqual(steps);
    expect(effects).toEqual(desiredEffects(next));
  });

  it('abort records its reason as the event message and the status message', () => {
    const { next, events } = accepted(transition(gated, { type: 'ABORT', reason: '  error rate up  ' }, after(10)));
    expect(next).toMatchObject({ statusMessage: 'error rate up', finishedAt: after(10), waitingSince: null });
    expect(events).toEqual([{ type: 'ABORTED', at: after(10), message: 'error rate up', stepIndex: 1, weight: 0, readyReplicas: null }]);
  });

  it.each([undefined, null, '', '   '])('abort without a reason (%j) says it was aborted by user', (reason) => {
    expect(accepted(transition(running, { type: 'ABORT', reason }, after(10))).next.statusMessage).toBe('aborted by user');
  });

  it('supersede says a newer release took over', () => {
    expect(accepted(transition(running, { type: 'SUPERSEDE' }, after(10))).next.statusMessage).toBe('superseded by a newer release');
  });

  it('promote records the step it released and the step is finished at that time', () => {
    const { next, events } = accepted(transition(gated, { type: 'PROMOTE', expectedStepIndex: 1 }, after(10)));
    expect(events[0]).toMatchObject({ type: 'PROMOTED', stepIndex: 1, weight: 50 });
    expect(next.steps[1]).toMatchObject({ status: 'DONE', finishedAt: after(10) });
  });

  it('promote fully when already heading to 100% and not paused changes nothing', () => {
    const heading = accepted(transition(pending, { type: 'PROMOTE_FULLY' }, after(1))).next;
    expect(transition(heading, { type: 'PROMOTE_FULLY' }, after(2))).toEqual({ next: heading, effects: [], events: [] });
  });

  it('promote fully asks for the full replica count at once', () => {
    const { effects } = accepted(transition(gatedAtFirst, { type: 'PROMOTE_FULLY' }, after(10)));
    expect(effects[0]).toEqual({ type: 'ENSURE_CANARY', replicas: 4 });
  });

  it('resume restarts the progress deadline window', () => {
    const resumed = accepted(transition(aRelease({ status: 'PAUSED', canaryReadyReplicas: 1 }), { type: 'RESUME' }, after(1000))).next;
    expect(resumed.waitingSince).toEqual(after(1000));
    const still = observed({ canaryReadyReplicas: 1 });
    expect(accepted(transition(resumed, still, after(1600))).next.status).toBe('PENDING');
    expect(accepted(transition(resumed, still, after(1601))).next.status).toBe('FAILED');
  });
});

interface RefusalCase {
  rule: string;
  from: ReleaseState;
  command: ReleaseCommand;
  code: MachineError['code'];
  reason: MachineError['reason'];
}

const allCommands: ReleaseCommand[] = [
  { type: 'PROMOTE' },
  { type: 'PROMOTE_FULLY' },
  { type: 'PAUSE' },
  { type: 'RESUME' },
  { type: 'ABORT', reason: 'x' },
  { type: 'SUPERSEDE' },
];

const refusalCases: RefusalCase[] = [
  ...Object.values(finished).flatMap((from) =>
    allCommands.map((command): RefusalCase => ({ rule: `${command.type} on a ${from.status} release is refused`, from, command, code: 'CONFLICT', reason: 'RELEASE_FINISHED' })),
  ),
  { rule: 'promote while waiting for pods is refused', from: pending, command: { type: 'PROMOTE' }, code: 'CONFLICT', reason: 'NOT_WAITING_FOR_PROMOTION' },
  { rule: 'promote at a running step is refused', from: running, command: { type: 'PROMOTE' }, code: 'CONFLICT', reason: 'NOT_WAITING_FOR_PROMOTION' },
  { rule: 'promote during a user pause is refused (resume it instead)', from: pausedByUser, command: { type: 'PROMOTE' }, code: 'CONFLICT', reason: 'NOT_WAITING_FOR_PROMOTION' },
  { rule: 'promote during a timed pause is refused', from: timedAt(true), command: { type: 'PROMOTE' }, code: 'CONFLICT', reason: 'NOT_WAITING_FOR_PROMOTION' },
  { rule: 'promote twice for the same gate is refused the second time', from: accepted(transition(gated, { type: 'PROMOTE' }, T0)).next, command: { type: 'PROMOTE', expectedStepIndex: 1 }, code: 'CONFLICT', reason: 'NOT_WAITING_FOR_PROMOTION' },
  { rule: 'promote naming an earlier step fails STALE_STEP', from: gated, command: { type: 'PROMOTE', expectedStepIndex: 0 }, code: 'STALE_STEP', reason: 'STEP_MISMATCH' },
  { rule: 'promote naming a step before any started fails STALE_STEP', from: pending, command: { type: 'PROMOTE', expectedStepIndex: 0 }, code: 'STALE_STEP', reason: 'STEP_MISMATCH' },
  { rule: 'promote naming another step fails STALE_STEP even when not waiting', from: running, command: { type: 'PROMOTE', expectedStepIndex: 2 }, code: 'STALE_STEP', reason: 'STEP_MISMATCH' },
  ...(['PROMOTE', 'PROMOTE_FULLY', 'PAUSE', 'RESUME'] as const).flatMap((type) =>
    [rolling, recreate].map((from): RefusalCase => ({ rule: `${type} on a ${from.strategy} release is refused`, from, command: { type }, code: 'CONFLICT', reason: 'NOT_CANARY' })),
  ),
  { rule: 'pause when already paused by the user is refused', from: pausedByUser, command: { type: 'PAUSE' }, code: 'CONFLICT', reason: 'ALREADY_PAUSED' },
  { rule: 'pause at a gate is refused', from: gated, command: { type: 'PAUSE' }, code: 'CONFLICT', reason: 'ALREADY_PAUSED' },
  { rule: 'resume when not paused is refused', from: running, command: { type: 'RESUME' }, code: 'CONFLICT', reason: 'NOT_PAUSED' },
  { rule: 'resume while waiting for pods is refused', from: pending, command: { type: 'RESUME' }, code: 'CONFLICT', reason: 'NOT_PAUSED' },
  { rule: 'resume at a gate is refused: a gate takes promoteRelease', from: gated, command: { type: 'RESUME' }, code: 'CONFLICT', reason: 'WAITING_FOR_PROMOTION' },
];

describe('refused commands', () => {
  it.each(refusalCases)('$rule', ({ from, command, code, reason }) => {
    const error = refused(transition(from, command, after(10)));
    expect(error).toMatchObject({ code, reason });
    expect(error.message).not.toBe('');
  });

  it('STALE_STEP says where the release is', () => {
    expect(refused(transition(gated, { type: 'PROMOTE', expectedStepIndex: 0 }, T0)).message).toBe('the release is at step 1, not 0');
  });
});

// ------------------------------------------------------------------ effects

describe('desiredEffects', () => {
  const weight = (canaryWeight: number): Effect => ({ type: 'SET_WEIGHT', canaryWeight });

  type EffectCase = { rule: string; state: ReleaseState; effects: Effect[] };
  const effectCases: EffectCase[] = [
    { rule: 'a pending canary wants its pods, its router and no weight', state: pending, effects: [{ type: 'ENSURE_CANARY', replicas: 2 }, { type: 'ENSURE_ROUTER' }, weight(0)] },
    { rule: 'a canary at a step wants that step weight', state: gated, effects: [{ type: 'ENSURE_CANARY', replicas: 2 }, { type: 'ENSURE_ROUTER' }, weight(50)] },
    { rule: 'a canary heading to 100% wants the full replica count first', state: aRelease(atStep(1, { step: 'DONE' })), effects: [{ type: 'ENSURE_CANARY', replicas: 4 }, { type: 'ENSURE_ROUTER' }, weight(50)] },
    { rule: 'a canary that lost its pods wants no weight', state: podsLost, effects: [{ type: 'ENSURE_CANARY', replicas: 2 }, { type: 'ENSURE_ROUTER' }, weight(0)] },
    { rule: 'a succeeded canary points stable at itself, then drops the canary weight, then scales the old version down after the grace period', state: finished.SUCCEEDED, effects: [{ type: 'PROMOTE_STABLE' }, weight(0), { type: 'SCALE_DOWN_OLD', afterSeconds: 30, notBefore: after(30) }] },
    ...(['ABORTED', 'FAILED', 'SUPERSEDED'] as const).map((status): EffectCase => ({ rule: `a ${status} canary sends all traffic to stable before removing its pods`, state: finished[status], effects: [weight(0), { type: 'REMOVE_CANARY' }] })),
    { rule: 'an active ROLLING release updates the Deployment', state: rolling, effects: [{ type: 'UPDATE_DEPLOYMENT', strategy: 'ROLLING' }] },
    { rule: 'an active RECREATE release updates the Deployment with RECREATE', state: recreate, effects: [{ type: 'UPDATE_DEPLOYMENT', strategy: 'RECREATE' }] },
    { rule: 'a succeeded ROLLING release keeps its image and becomes stable', state: { ...rolling, status: 'SUCCEEDED' }, effects: [{ type: 'UPDATE_DEPLOYMENT', strategy: 'ROLLING' }, { type: 'PROMOTE_STABLE' }] },
    ...(['ABORTED', 'FAILED', 'SUPERSEDED'] as const).map((status): EffectCase => ({ rule: `a ${status} ROLLING release restores the stable image`, state: { ...rolling, status }, effects: [{ type: 'RESTORE_DEPLOYMENT', strategy: 'ROLLING' }] })),
  ];

  it.each(effectCases)('$rule', ({ state, effects }) => {
    expect(desiredEffects(state)).toEqual(effects);
  });

  it('abort while waiting for pods asks for weight 0 before removing the canary', () => {
    expect(accepted(transition(pending, { type: 'ABORT' }, after(10))).effects).toEqual([weight(0), { type: 'REMOVE_CANARY' }]);
  });

  it('a ROLLING release past its deadline rolls the image back', () => {
    expect(accepted(transition(rolling, observed(), after(601))).effects).toEqual([{ type: 'RESTORE_DEPLOYMENT', strategy: 'ROLLING' }]);
  });
});

describe('derivePhase', () => {
  it.each([
    { rule: 'a release waiting for pods says how many are ready', state: aRelease({ canaryReadyReplicas: 1 }), status: 'PENDING', message: 'waiting for the canary: 1/2 canary pods ready' },
    { rule: 'a gate says which step waits', state: gated, status: 'PAUSED', message: 'step 1 (50%) waits for promotion' },
    { rule: 'a user pause says so', state: pausedByUser, status: 'PAUSED', message: 'paused by user' },
    { rule: 'a timed pause says until when', state: timedAt(true), status: 'PROGRESSING', message: `step 0 (20%): pausing until ${after(60).toISOString()}` },
    { rule: 'a step whose weight is not read back says it is applying it', state: running, status: 'PROGRESSING', message: 'step 0 (10%): applying the weight' },
    { rule: 'a release between steps names the next one', state: aRelease(atStep(1, { step: 'DONE' })), status: 'PROGRESSING', message: 'waiting for the canary before step 2 (100%): 2/4 canary pods ready' },
    { rule: 'a release that lost its pods says traffic is on stable', state: podsLost, status: 'PROGRESSING', message: 'canary pods lost at step 1 (50%); traffic on stable: 0/2 canary pods ready' },
    { rule: 'a final release keeps its stored message', state: finished.ABORTED, status: 'ABORTED', message: 'bad' },
  ] satisfies { rule: string; state: ReleaseState; status: ReleaseStatus; message: string }[])('$rule', ({ state, status, message }) => {
    expect(derivePhase(state)).toEqual({ status, message });
  });
});

// ------------------------------------------------------------------ whole releases against a fake cluster

/** Applies effects the way the cluster adapter would; new pods are ready at once. */
class FakeCluster {
  canaryReplicas = 0;
  routerReady = false;
  canaryWeight = 0;
  stableIsNew = false;
  readonly weights: number[] = [0];

  apply(effects: readonly Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'ENSURE_CANARY') this.canaryReplicas = effect.replicas;
      if (effect.type === 'ENSURE_ROUTER') this.routerReady = true;
      if (effect.type === 'REMOVE_CANARY') this.canaryReplicas = 0;
      if (effect.type === 'PROMOTE_STABLE') this.stableIsNew = true;
      if (effect.type === 'SET_WEIGHT' && effect.canaryWeight !== this.canaryWeight) {
        this.canaryWeight = effect.canaryWeight;
        this.weights.push(effect.canaryWeight);
      }
    }
  }

  observe(): Observation {
    return observed({ routerReady: this.routerReady, appliedCanaryWeight: this.canaryWeight, canaryReadyReplicas: this.canaryReplicas, canaryDesiredReplicas: this.canaryReplicas });
  }
}

/**
 * Commits like the engine: state and events first, then effects. With `crashAt`, the process dies
 * after that tick's commit, before its effects; the restarted process first observes the stale
 * cluster, then re-applies desiredEffects of the committed state.
 */
function runToTheEnd(crashAt: number | null) {
  const cluster = new FakeCluster();
  const start = startRelease(canaryPlan, T0);
  let state = start.next;
  const log = [...start.events];
  cluster.apply(start.effects);
  let restarted = false;
  for (let tick = 1; tick < 50 && state.status !== 'SUCCEEDED'; tick++) {
    const input: ReleaseInput = state.status === 'PAUSED' ? { type: 'PROMOTE', expectedStepIndex: state.currentStepIndex } : cluster.observe();
    const result = accepted(transition(state, input, after(tick)));
    state = result.next;
    log.push(...result.events);
    // A replayed input changes nothing: every event hangs off committed state.
    if (input.type === 'OBSERVED') expect(accepted(transition(state, input, after(tick))).events).toEqual([]);
    if (tick === crashAt) {
      restarted = true;
      continue;
    }
    cluster.apply(restarted ? desiredEffects(state) : result.effects);
    restarted = false;
  }
  if (restarted) cluster.apply(desiredEffects(state));
  return { state, log, cluster };
}

describe('a whole canary release', () => {
  const summary = (log: NewReleaseEvent[]) => log.map((e) => `${e.type}${e.stepIndex === null ? '' : `#${e.stepIndex}`}${e.weight === null ? '' : `@${e.weight}`}`);

  it('walks 10 → gate → 50 → gate → 100 and hands stable to the new version', () => {
    const { state, log, cluster } = runToTheEnd(null);
    expect(state.status).toBe('SUCCEEDED');
    expect(summary(log)).toEqual([
      'CREATED',
      'PODS_READY',
      'STEP_STARTED#0@10',
      'WEIGHT_APPLIED#0@10',
      'PAUSED#0@10',
      'PROMOTED#0@10',
      'STEP_STARTED#1@50',
      'WEIGHT_APPLIED#1@50',
      'PAUSED#1@50',
      'PROMOTED#1@50',
      'PODS_READY#1',
      'STEP_STARTED#2@100',
      'WEIGHT_APPLIED#2@100',
      'SUCCEEDED#2@100',
    ]);
    expect(cluster).toMatchObject({ stableIsNew: true, canaryWeight: 0, canaryReplicas: 4 });
    expect(cluster.weights).toEqual([0, 10, 50, 100, 0]);
  });

  it('a crash between commit and effects at any point neither skips nor repeats a step, and the weight only moves step by step', () => {
    const baseline = runToTheEnd(null);
    for (let crashAt = 1; crashAt < baseline.log.length + 5; crashAt++) {
      const { state, log, cluster } = runToTheEnd(crashAt);
      expect(state.status).toBe('SUCCEEDED');
      expect(summary(log)).toEqual(summary(baseline.log));
      expect(cluster.weights).toEqual([0, 10, 50, 100, 0]);
    }
  });

  it('a committed step start whose effect was lost records no WEIGHT_APPLIED until the weight really reads back', () => {
    const cluster = new FakeCluster();
    cluster.apply(desiredEffects(gated));
    cluster.canaryWeight = 50;
    const promoted = accepted(transition(gated, { type: 'PROMOTE' }, after(1))).next;
    cluster.apply([{ type: 'ENSURE_CANARY', replicas: 4 }]);
    const started = accepted(transition(promoted, cluster.observe(), after(2))).next; // crash: effects not run
    expect(started.declaredWeight).toBe(100);
    expect(accepted(transition(started, cluster.observe(), after(3))).events).toEqual([]);
    cluster.apply(desiredEffects(started));
    expect(types(accepted(transition(started, cluster.observe(), after(4))).events)).toEqual(['WEIGHT_APPLIED', 'SUCCEEDED']);
  });
});

describe('canary analysis', () => {
  const ANALYSIS = { maxErrorRatio: 0.05, maxLatencyP99Seconds: null, intervalSeconds: 10, failureLimit: 2, minRequests: 50 };
  const TWO = [spec(20), spec(100)];
  const analysing = aRelease({ ...atStep(0, { specs: TWO, applied: true }), analysis: ANALYSIS });
  const check = (fields: Partial<ReleaseInput & { type: 'ANALYZED' }>): ReleaseInput => ({ type: 'ANALYZED', stepIndex: 0, passed: false, abort: false, message: '', ...fields }) as ReleaseInput;
  const thin = check({ waiting: true, message: '12 of 50 canary requests in the last 10 s' });

  it('should hold a step with too few canary requests: one ANALYSIS_WAITING event, the count in the status message', () => {
    const waited = accepted(transition(analysing, thin, after(10)));
    expect(types(waited.events)).toEqual(['ANALYSIS_WAITING']);
    expect(waited.events[0]!.message).toBe('step 0 (20%): canary analysis waits for traffic: 12 of 50 canary requests in the last 10 s');
    expect(waited.next.statusMessage).toBe('step 0 (20%): waiting for canary traffic to analyse (12 of 50 canary requests in the last 10 s)');
    expect(derivePhase(waited.next).status).toBe('PROGRESSING');
    // A step that waits does not advance on observation.
    expect(stepStatuses(accepted(transition(waited.next, observed({ appliedCanaryWeight: 20 }), after(11))).next)).toEqual(['RUNNING', 'PENDING']);
  });

  it('should refresh the waiting count once per interval, without another event', () => {
    const waited = accepted(transition(analysing, thin, after(10))).next;
    const soon = transition(waited, check({ waiting: true, message: '30 of 50 canary requests in the last 15 s' }), after(15));
    expect(accepted(soon).next).toBe(waited);
    const later = accepted(transition(waited, check({ waiting: true, message: '40 of 50 canary requests in the last 20 s' }), after(20)));
    expect(later.events).toEqual([]);
    expect(later.next.statusMessage).toContain('40 of 50');
  });

  it('should clear the wait when a check counts, and let the step advance once it passed', () => {
    const waited = accepted(transition(analysing, thin, after(10))).next;
    const passed = accepted(transition(waited, check({ passed: true, message: 'error ratio 0 ≤ threshold 0.05' }), after(20)));
    expect(types(passed.events)).toEqual(['ANALYSIS_PASSED']);
    expect(passed.next.steps[0]!.analysisWaiting).toBeNull();
    expect(passed.next.statusMessage).toBe('step 0 (20%) applied');
  });

  it('should abort on failureLimit failed checks in a row, and not on a failure that waits for more', () => {
    const once = accepted(transition(analysing, check({ message: 'failed (1/2)' }), after(10)));
    expect(types(once.events)).toEqual(['ANALYSIS_FAILED']);
    expect(once.next.status).toBe('PROGRESSING');
    const twice = accepted(transition(once.next, check({ abort: true, message: 'error ratio 0.2 > threshold 0.05' }), after(20)));
    expect(types(twice.events)).toEqual(['ANALYSIS_FAILED', 'ABORTED']);
    expect(twice.next).toMatchObject({ status: 'ABORTED', declaredWeight: 0, statusMessage: 'error ratio 0.2 > threshold 0.05' });
  });

  it('should fail at the deadline with the reason it waited: too few canary requests', () => {
    const waited = accepted(transition({ ...analysing, progressDeadlineSeconds: 30 }, thin, after(10))).next;
    const held = accepted(transition(waited, observed({ appliedCanaryWeight: 20 }), after(11))).next;
    const late = accepted(transition(held, observed({ appliedCanaryWeight: 20 }), after(45)));
    expect(late.next.status).toBe('FAILED');
    expect(late.next.statusMessage).toBe('the canary analysis of step 0 (20%) did not pass within 30s (too few canary requests: 12 of 50 canary requests in the last 10 s); traffic back to stable');
  });

  it('should ignore a check of another step or of a finished release', () => {
    expect(accepted(transition(analysing, check({ stepIndex: 1, waiting: true }), after(10))).next).toBe(analysing);
    expect(accepted(transition(finished.ABORTED, thin, after(10))).next).toBe(finished.ABORTED);
  });
});
