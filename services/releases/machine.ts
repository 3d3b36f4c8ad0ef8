/**
 * The release state machine: pure and deterministic; time arrives as `now`.
 *
 * The engine commits `next` and `events` in one transaction, then runs `effects`. Because every
 * progress event hangs off a committed fact (STEP_STARTED off currentStepIndex moving,
 * WEIGHT_APPLIED off a step's weightAppliedAt, PODS_READY/POD_CHANGED off canaryReadyReplicas),
 * replaying an observation after a crash records nothing twice, and the weight in the cluster is
 * always the committed declaredWeight or the one before it.
 */
import { isFinalStatus, SCALE_DOWN_DELAY_SECONDS } from './model.ts';
import type {
  Effect,
  FinalReleaseStatus,
  NewReleaseEvent,
  Observation,
  ReleaseInput,
  ReleasePlan,
  ReleaseState,
  ReleaseStatus,
  ReleaseStep,
  ReleaseStepSpec,
  Transition,
  TransitionResult,
} from './model.ts';
import { activeStep, nextStep, pauseOf, podsNeeded } from './steps.ts';
import { event, label, refuse, unchanged, withStep } from './transition-parts.ts';
import { observeVm } from './vm-steps.ts';
import { jointClusterEffects, jointMessage, observeJoint } from './joint-steps.ts';
import { analysisHold, analyzed, awaitingAnalysis } from './analysis-steps.ts';

type Progress = { state: ReleaseState; events: NewReleaseEvent[] };

/**
 * Creates a release from a settled plan. CANARY starts PENDING (waiting for its pods, no weight);
 * ROLLING/RECREATE start PROGRESSING on their single step. Returns the first state, its effects and
 * the CREATED (and, for ROLLING/RECREATE, STEP_STARTED) events.
 */
export function startRelease(plan: ReleasePlan, now: Date): Transition {
  const { steps, ...sizes } = plan;
  const state: ReleaseState = {
    ...sizes,
    status: 'PENDING',
    statusMessage: null,
    steps: steps.map((spec, index) => ({
      ...spec,
      index,
      status: 'PENDING',
      startedAt: null,
      finishedAt: null,
      weightAppliedAt: null,
    })),
    currentStepIndex: null,
    declaredWeight: 0,
    appliedWeight: null,
    canaryReadyReplicas: 0,
    waitingSince: now,
    createdAt: now,
    finishedAt: null,
  };
  const wait = (s: ReleaseStepSpec) => (s.untilPromoted ? ' (until promoted)' : s.pauseSeconds ? ` (${s.pauseSeconds}s)` : '');
  const plainSteps = steps.map((s) => `${s.weight}%${wait(s)}`).join(' → ');
  const created = event('CREATED', now, `${plan.isRollback ? 'rollback ' : ''}${plan.strategy} release: ${plainSteps}`);
  const first = nextStep(state);
  const started = plan.strategy === 'CANARY' || !first ? { state, events: [] } : startStep(state, first, now);
  const next = withPhase(started.state);
  return { next, effects: desiredEffects(next), events: [created, ...started.events] };
}

/**
 * Applies one command or observation to a release. Observations of a finished release change
 * nothing (the loop may race a command that finished it); commands on one are refused.
 * Returns the transition, or an error: STALE_STEP when promote names another step, CONFLICT when
 * the command does not fit the current state.
 */
export function transition(state: ReleaseState, input: ReleaseInput, now: Date): TransitionResult {
  if (input.type === 'OBSERVED') {
    if (isFinalStatus(state.status)) return unchanged(state);
    if (state.joint) return observeJoint(state, state.joint, input, now, { finish: finalize, event, accept, withStep });
    if (state.vm) return observeVm(state, state.vm, input, now, { finish: finalize, event, accept });
    return state.strategy === 'CANARY' ? observeCanary(state, input, now) : observeDeployment(state, input, now);
  }
  if (input.type === 'ANALYZED') return analyzed(state, input, now, { finalize, withPhase, accept });
  if (isFinalStatus(state.status)) {
    return refuse('RELEASE_FINISHED', `the release has already finished: ${state.status}`);
  }
  if (input.type === 'ABORT') return finish(state, 'ABORTED', input.reason?.trim() || 'aborted by user', now);
  if (input.type === 'FAIL') return finish(state, 'FAILED', input.reason, now);
  if (input.type === 'SUPERSEDE') {
    return finish(state, 'SUPERSEDED', input.reason?.trim() || 'superseded by a newer release', now);
  }
  if (state.strategy !== 'CANARY' && !state.joint) {
    return refuse('NOT_CANARY', `${input.type} applies only to CANARY releases; this one is ${state.strategy}`);
  }
  const at = { stepIndex: state.currentStepIndex, weight: state.declaredWeight };
  const step = activeStep(state);
  const gated = step?.status === 'WAITING_FOR_PROMOTION';
  switch (input.type) {
    case 'PROMOTE': {
      const expected = input.expectedStepIndex ?? null;
      if (expected !== null && expected !== state.currentStepIndex) {
        return refuse('STEP_MISMATCH', `the release is at step ${state.currentStepIndex ?? 'none'}, not ${expected}`);
      }
      if (!step || !gated) {
        const where = state.statusMessage ?? state.status;
        return refuse('NOT_WAITING_FOR_PROMOTION', `the release is not waiting for promotion (${where})`);
      }
      const next = withPhase({ ...withStep(state, step.index, { status: 'DONE', finishedAt: now }), status: 'PROGRESSING' });
      return accept(state, next, [event('PROMOTED', now, `promoted past step ${label(step)}`, at)]);
    }
    case 'PROMOTE_FULLY':
      return promoteFully(state, now);
    case 'PAUSE': {
      if (state.status === 'PAUSED') return refuse('ALREADY_PAUSED', `the release is already paused (${state.statusMessage})`);
      const next = withPhase({ ...state, status: 'PAUSED' });
      return accept(state, next, [event('PAUSED', now, `paused by user at ${state.declaredWeight}%`, at)]);
    }
    case 'RESUME': {
      if (state.status !== 'PAUSED') return refuse('NOT_PAUSED', `the release is not paused (${state.status})`);
      if (step && gated) return refuse('WAITING_FOR_PROMOTION', `step ${label(step)} waits for promotion: use promoteRelease`);
      // The deadline does not run while paused, so the wait starts afresh.
      const next = withPhase({ ...state, status: 'PROGRESSING', waitingSince: state.waitingSince && now });
      return accept(state, next, [event('RESUMED', now, `resumed at ${state.declaredWeight}%`, at)]);
    }
  }
}

/**
 * Returns what the cluster should look like for this release now, as an ordered list of
 * idempotent effects. The reconcile loop re-applies them every pass, so a restarted process
 * converges from committed state. Router objects are shared by the environment: apply a release's
 * desired effects only while it is the environment's newest release.
 */
export function desiredEffects(state: ReleaseState): Effect[] {
  // The load balancer and VM hosts are the engine's to point (joint-steps.ts, vm-steps.ts).
  if (state.joint) return jointClusterEffects(state, state.joint);
  // VM hosts are pointed by the engine (vm-steps.ts vmEffects): nothing in the cluster changes.
  if (state.vm) return [];
  if (state.strategy !== 'CANARY') {
    const strategy = state.strategy;
    if (state.status === 'SUCCEEDED') return [{ type: 'UPDATE_DEPLOYMENT', strategy }, { type: 'PROMOTE_STABLE' }];
    if (isFinalStatus(state.status)) return [{ type: 'RESTORE_DEPLOYMENT', strategy }];
    return [{ type: 'UPDATE_DEPLOYMENT', strategy }];
  }
  if (state.status === 'SUCCEEDED') {
    const finishedAt = state.finishedAt ?? state.createdAt;
    const notBefore = new Date(finishedAt.getTime() + SCALE_DOWN_DELAY_SECONDS * 1000);
    // Stable moves first: with stable and canary both on the new version, weight 0 changes nothing.
    return [
      { type: 'PROMOTE_STABLE' },
      { type: 'SET_WEIGHT', canaryWeight: 0 },
      { type: 'SCALE_DOWN_OLD', afterSeconds: SCALE_DOWN_DELAY_SECONDS, notBefore },
    ];
  }
  if (isFinalStatus(state.status)) return [{ type: 'SET_WEIGHT', canaryWeight: 0 }, { type: 'REMOVE_CANARY' }];
  return [
    { type: 'ENSURE_CANARY', replicas: podsNeeded(state) },
    { type: 'ENSURE_ROUTER' },
    { type: 'SET_WEIGHT', canaryWeight: state.declaredWeight },
  ];
}

/**
 * Derives status and message from the rest of the state (Argo style). A stored PAUSED is the pause
 * itself (a gate when the active step waits for promotion, else the user's); final statuses keep
 * their stored message; otherwise PENDING until the first step starts, then PROGRESSING.
 */
export function derivePhase(state: ReleaseState): { status: ReleaseStatus; message: string | null } {
  if (isFinalStatus(state.status)) return { status: state.status, message: state.statusMessage };
  const step = activeStep(state);
  if (state.status === 'PAUSED') {
    const gate = step?.status === 'WAITING_FOR_PROMOTION';
    return { status: 'PAUSED', message: gate ? `step ${label(step)} waits for promotion` : 'paused by user' };
  }
  if (state.joint) return { status: 'PROGRESSING', message: jointMessage(state, state.joint) };
  if (state.vm) return { status: 'PROGRESSING', message: `updating VM hosts (${state.vm.index}/${state.vm.hosts.length} done)` };
  if (state.strategy !== 'CANARY') return { status: 'PROGRESSING', message: `${state.strategy} rollout in progress` };
  const ready = `${state.canaryReadyReplicas}/${podsNeeded(state)} canary pods ready`;
  if (!step) {
    const upcoming = nextStep(state);
    if (state.currentStepIndex === null) return { status: 'PENDING', message: `waiting for the canary: ${ready}` };
    const message = upcoming ? `waiting for the canary before step ${label(upcoming)}: ${ready}` : 'finishing';
    return { status: 'PROGRESSING', message };
  }
  if (state.declaredWeight !== step.weight) {
    return { status: 'PROGRESSING', message: `canary pods lost at step ${label(step)}; traffic on stable: ${ready}` };
  }
  if (step.weightAppliedAt === null) return { status: 'PROGRESSING', message: `step ${label(step)}: applying the weight` };
  if (awaitingAnalysis(state, step)) return { status: 'PROGRESSING', message: `step ${label(step)}: ${analysisHold(step)}` };
  const pause = pauseOf(state, step);
  if (pause.kind === 'TIMED') {
    const until = new Date(step.weightAppliedAt.getTime() + pause.seconds * 1000);
    return { status: 'PROGRESSING', message: `step ${label(step)}: pausing until ${until.toISOString()}` };
  }
  return { status: 'PROGRESSING', message: `step ${label(step)} applied` };
}

// ------------------------------------------------------------------ observations

function observeDeployment(state: ReleaseState, obs: Observation, now: Date): TransitionResult {
  const step = activeStep(state);
  if (obs.deploymentUpdated && obs.deploymentAvailable) {
    const done = step ? withStep(state, step.index, { status: 'DONE', finishedAt: now, weightAppliedAt: now }) : state;
    const ready = event('PODS_READY', now, `all ${obs.stableReadyReplicas} pods updated and available`, {
      stepIndex: step?.index,
      readyReplicas: obs.stableReadyReplicas,
    });
    const finished = finalize(done, 'SUCCEEDED', `${state.strategy} rollout complete`, now);
    return accept(state, finished.state, [ready, ...finished.events]);
  }
  if (overdue(state, now)) {
    const why = `the rollout did not complete within ${state.progressDeadlineSeconds}s; restoring the stable image`;
    return finish(state, 'FAILED', why, now);
  }
  return accept(state, { ...state, waitingSince: state.waitingSince ?? now }, []);
}

function observeCanary(state: ReleaseState, obs: Observation, now: Date): TransitionResult {
  const ready = obs.canaryReadyReplicas;
  let s: ReleaseState = { ...state, appliedWeight: obs.appliedCanaryWeight, canaryReadyReplicas: ready };
  // Weight never stays on an empty subset, whatever else is going on (even a pause).
  if (state.declaredWeight > 0 && ready === 0) {
    s = withdrawWeight(s, now);
    const lost = event('POD_CHANGED', now, 'no canary pods ready: all traffic back to stable', {
      stepIndex: s.currentStepIndex,
      weight: 0,
      readyReplicas: 0,
    });
    return accept(state, withPhase(s), [lost]);
  }
  const events: NewReleaseEvent[] = [];
  const needed = podsNeeded(state);
  if (ready !== state.canaryReadyReplicas) {
    const allReady = ready >= needed && state.canaryReadyReplicas < needed;
    const fields = { stepIndex: state.currentStepIndex, readyReplicas: ready };
    events.push(event(allReady ? 'PODS_READY' : 'POD_CHANGED', now, `${ready}/${needed} canary pods ready`, fields));
  }
  const step = activeStep(s);
  if (step && step.weightAppliedAt === null && s.declaredWeight === step.weight && obs.appliedCanaryWeight === step.weight) {
    s = withStep(s, step.index, { weightAppliedAt: now });
    const fields = { stepIndex: step.index, weight: obs.appliedCanaryWeight, readyReplicas: ready };
    events.push(event('WEIGHT_APPLIED', now, `step ${label(step)}: router reads back ${step.weight}%`, fields));
  }
  // A pause, the user's or a gate, holds the weight: nothing below runs, not even the deadline.
  if (s.status === 'PAUSED') return accept(state, s, events);
  const progress = advance(s, obs, now);
  return accept(state, withPhase(progress.state), [...events, ...progress.events]);
}

/** One move forward at most: restore a withdrawn weight, finish the active step, start the next. */
function advance(state: ReleaseState, obs: Observation, now: Date): Progress {
  let s = state;
  const step = activeStep(s);
  if (step) {
    if (s.declaredWeight !== step.weight) {
      if (!canTakeTraffic(s, obs)) return wait(s, obs, now);
      return { state: { ...s, declaredWeight: step.weight, waitingSince: null }, events: [] };
    }
    if (step.weightAppliedAt === null) return { state: s, events: [] };
    const pause = pauseOf(s, step);
    if (pause.kind === 'UNTIL_PROMOTED') {
      const gate = event('PAUSED', now, `step ${label(step)} waits for promotion`, { stepIndex: step.index, weight: step.weight });
      return { state: { ...withStep(s, step.index, { status: 'WAITING_FOR_PROMOTION' }), status: 'PAUSED' }, events: [gate] };
    }
    if (awaitingAnalysis(s, step)) {
      const held = { ...s, waitingSince: s.waitingSince ?? now };
      if (!overdue(held, now)) return { state: held, events: [] };
      const why = step.analysisWaiting ? `too few canary requests: ${step.analysisWaiting.message}` : 'no data, or failing checks';
      return finalize(held, 'FAILED', `the canary analysis of step ${label(step)} did not pass within ${s.progressDeadlineSeconds}s (${why}); traffic back to stable`, now);
    }
    const pauseEnds = pause.kind === 'TIMED' ? step.weightAppliedAt.getTime() + pause.seconds * 1000 : 0;
    if (now.getTime() < pauseEnds) return { state: s, events: [] };
    s = withStep(s, step.index, { status: 'DONE', finishedAt: now });
  }
  const upcoming = nextStep(s);
  if (!upcoming) return finalize(s, 'SUCCEEDED', 'all traffic on the new version, now stable', now);
  if (!canTakeTraffic(s, obs)) return wait(s, obs, now);
  const started = startStep(s, upcoming, now);
  return { state: { ...started.state, waitingSince: null }, events: started.events };
}

/** Never shift before the subsets exist, nor onto fewer pods than the step needs. */
function canTakeTraffic(state: ReleaseState, obs: Observation): boolean {
  const needed = podsNeeded(state);
  return obs.routerReady && obs.canaryReadyReplicas >= needed && obs.canaryDesiredReplicas >= needed;
}

function wait(state: ReleaseState, obs: Observation, now: Date): Progress {
  const s = { ...state, waitingSince: state.waitingSince ?? now };
  if (!overdue(s, now)) return { state: s, events: [] };
  const router = obs.routerReady ? '' : ', router not ready';
  const pods = `${obs.canaryReadyReplicas}/${podsNeeded(s)} pods ready${router}`;
  const why = `the canary was not ready within ${s.progressDeadlineSeconds}s (${pods}); traffic stays on stable`;
  return finalize(s, 'FAILED', why, now);
}

function overdue(state: ReleaseState, now: Date): boolean {
  if (state.waitingSince === null) return false;
  return now.getTime() - state.waitingSince.getTime() > state.progressDeadlineSeconds * 1000;
}

/** The canary lost every pod: weight to 0 at once; the step is re-applied when pods return. */
function withdrawWeight(state: ReleaseState, now: Date): ReleaseState {
  const step = activeStep(state);
  const s = step ? withStep(state, step.index, { status: 'RUNNING', weightAppliedAt: null }) : state;
  const status = step?.status === 'WAITING_FOR_PROMOTION' ? 'PROGRESSING' : state.status;
  return { ...s, status, declaredWeight: 0, waitingSince: state.waitingSince ?? now };
}

// ------------------------------------------------------------------ commands

function promoteFully(state: ReleaseState, now: Date): TransitionResult {
  const last = state.steps.length - 1;
  const steps = state.steps.map((step): ReleaseStep => {
    if (step.index === last || step.status === 'DONE' || step.status === 'SKIPPED') return step;
    if (step.status === 'PENDING') return { ...step, status: 'SKIPPED', finishedAt: now };
    return { ...step, status: step.weightAppliedAt ? 'DONE' : 'SKIPPED', finishedAt: now };
  });
  const paused = state.status === 'PAUSED';
  if (!paused && steps.every((step, i) => step === state.steps[i])) return unchanged(state);
  const waitingSince = paused ? state.waitingSince && now : state.waitingSince;
  const next = withPhase({ ...state, steps, status: 'PROGRESSING', waitingSince });
  const message = `promoted fully: remaining steps and pauses skipped; 100% once ${state.replicas} canary pods are ready`;
  const at = { stepIndex: state.currentStepIndex, weight: state.declaredWeight };
  return accept(state, next, [event('PROMOTED', now, message, at)]);
}

// ------------------------------------------------------------------ helpers

function startStep(state: ReleaseState, step: ReleaseStep, now: Date): Progress {
  const s = withStep(state, step.index, { status: 'RUNNING', startedAt: now });
  const started = event('STEP_STARTED', now, `step ${label(step)} started`, { stepIndex: step.index, weight: step.weight });
  return { state: { ...s, currentStepIndex: step.index, declaredWeight: step.weight }, events: [started] };
}

/** Ends the release: unfinished steps SKIPPED, weight 100 on success else 0, one final event. */
function finalize(state: ReleaseState, status: FinalReleaseStatus, message: string, now: Date): Progress {
  const steps = state.steps.map((step): ReleaseStep =>
    step.status === 'DONE' || step.status === 'SKIPPED' ? step : { ...step, status: 'SKIPPED', finishedAt: now },
  );
  const declaredWeight = status === 'SUCCEEDED' ? 100 : 0;
  const next = { ...state, steps, status, statusMessage: message, declaredWeight, waitingSince: null, finishedAt: now };
  return { state: next, events: [event(status, now, message, { stepIndex: state.currentStepIndex, weight: declaredWeight })] };
}

function finish(state: ReleaseState, status: FinalReleaseStatus, message: string, now: Date): Transition {
  const done = finalize(state, status, message, now);
  return accept(state, done.state, done.events);
}

function withPhase(state: ReleaseState): ReleaseState {
  const { status, message } = derivePhase(state);
  return { ...state, status, statusMessage: message };
}

function accept(before: ReleaseState, next: ReleaseState, events: NewReleaseEvent[]): Transition {
  const changed = events.length > 0 || JSON.stringify(before) !== JSON.stringify(next);
  return changed ? { next, effects: desiredEffects(next), events } : unchanged(before);
}
