/**
 * Step planning: validates what the user asked for and settles the plan a release starts from,
 * plus the small step queries the machine shares with it. Pure.
 */
import { DEFAULT_CANARY_STEPS, DEFAULT_PROGRESS_DEADLINE_SECONDS } from './model.ts';
import type {
  FieldError,
  ReleasePlan,
  ReleaseState,
  ReleaseStep,
  ReleaseStepInput,
  ReleaseStepSpec,
  ReleaseStrategy,
} from './model.ts';

/** The createRelease arguments that shape a release. */
export interface ReleaseRequest {
  strategy?: ReleaseStrategy | null;
  steps?: readonly ReleaseStepInput[] | null;
  canaryReplicas?: number | null;
  progressDeadlineSeconds?: number | null;
  /** Made by rollbackEnvironment: every pause is dropped. */
  isRollback?: boolean;
}

/** What planning needs to know about the target environment. */
export interface EnvironmentFacts {
  protected: boolean;
  replicas: number;
  /** False for the environment's first release: nothing to compare a canary with. */
  hasStable: boolean;
}

/** A settled plan, or every invalid field at once. */
export type PlanResult = { ok: true; plan: ReleasePlan } | { ok: false; errors: FieldError[] };

const FULL_ROLLOUT: readonly ReleaseStepSpec[] = [{ weight: 100, pauseSeconds: null, untilPromoted: false }];

/** Longest timed pause of a step: 7 days. Longer waits are what `untilPromoted` is for. */
export const MAX_PAUSE_SECONDS = 604_800;

const isWholeNumber = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/**
 * Checks canary steps: weights whole numbers 1..100, strictly increasing, the last exactly 100;
 * pauseSeconds a whole number from 1 to {@link MAX_PAUSE_SECONDS}; a step pauses one way at most; the 100% step does not pause.
 * Returns every error found (empty when valid), each naming its field, e.g. `steps[1].weight`.
 * A missing final 100 is an error rather than appended silently: a plan that differs from what was
 * typed hides typos (5 for 50), and the implicit step's pause would be a guess.
 */
export function validateSteps(input: readonly ReleaseStepInput[]): FieldError[] {
  if (input.length === 0) {
    return [{ field: 'steps', message: 'give at least one step; the last must have weight 100' }];
  }
  const errors: FieldError[] = [];
  input.forEach((step, i) => {
    const field = `steps[${i}]`;
    const previous = input[i - 1];
    if (!isWholeNumber(step.weight) || step.weight < 1 || step.weight > 100) {
      const message = `must be a whole number from 1 to 100 (got ${step.weight})`;
      errors.push({ field: `${field}.weight`, message });
    } else if (previous && isWholeNumber(previous.weight) && step.weight <= previous.weight) {
      errors.push({
        field: `${field}.weight`,
        message: `must be greater than steps[${i - 1}].weight (${previous.weight}): weights strictly increase`,
      });
    }
    const pauseSeconds = step.pauseSeconds ?? null;
    if (pauseSeconds !== null && (!isWholeNumber(pauseSeconds) || pauseSeconds < 1 || pauseSeconds > MAX_PAUSE_SECONDS)) {
      const message = `must be a whole number of seconds from 1 to ${MAX_PAUSE_SECONDS} (7 days) (got ${pauseSeconds})`;
      errors.push({ field: `${field}.pauseSeconds`, message });
    }
    const pauses = pauseSeconds !== null || step.untilPromoted === true;
    if (pauseSeconds !== null && step.untilPromoted === true) {
      errors.push({ field, message: 'set pauseSeconds or untilPromoted, not both' });
    } else if (pauses && step.weight === 100) {
      errors.push({ field, message: 'the 100% step cannot pause: the release succeeds as soon as it is applied' });
    }
  });
  const last = input[input.length - 1];
  if (last && isWholeNumber(last.weight) && last.weight >= 1 && last.weight < 100) {
    errors.push({
      field: 'steps',
      message: `the last step must have weight 100 (got ${last.weight}): a release ends with all traffic on the new version`,
    });
  }
  return errors;
}

/**
 * Settles strategy, steps and sizes for a new release.
 * Defaults: protected environments CANARY with 10 (gate) → 50 (gate) → 100, others ROLLING;
 * canaryReplicas = the environment's replicas (enough pods for any weight); deadline 600 s.
 * Steps and canaryReplicas are refused for ROLLING/RECREATE, which have no traffic steps.
 * The first release of an environment (no stable) is validated as asked but runs a single 100%
 * step, and a rollback drops every pause.
 * Returns the plan, or all field errors.
 */
export function planRelease(request: ReleaseRequest, environment: EnvironmentFacts): PlanResult {
  const strategy = request.strategy ?? (environment.protected ? 'CANARY' : 'ROLLING');
  const errors: FieldError[] = [];
  if (request.steps != null) {
    if (strategy === 'CANARY') errors.push(...validateSteps(request.steps));
    else errors.push({ field: 'steps', message: `steps apply only to the CANARY strategy, not ${strategy}` });
  }
  if (request.canaryReplicas != null) {
    if (strategy !== 'CANARY') {
      errors.push({ field: 'canaryReplicas', message: `canaryReplicas applies only to the CANARY strategy, not ${strategy}` });
    } else if (!isWholeNumber(request.canaryReplicas) || request.canaryReplicas < 1) {
      errors.push({ field: 'canaryReplicas', message: `must be a whole number, at least 1 (got ${request.canaryReplicas})` });
    }
  }
  const deadline = request.progressDeadlineSeconds;
  if (deadline != null && (!isWholeNumber(deadline) || deadline < 1)) {
    errors.push({ field: 'progressDeadlineSeconds', message: `must be a whole number of seconds, at least 1 (got ${deadline})` });
  }
  if (errors.length > 0) return { ok: false, errors };

  const isRollback = request.isRollback ?? false;
  const replicas = Math.max(1, environment.replicas);
  let steps: readonly ReleaseStepSpec[] = FULL_ROLLOUT;
  if (strategy === 'CANARY' && environment.hasStable) {
    steps = request.steps ? request.steps.map(toSpec) : DEFAULT_CANARY_STEPS;
    if (isRollback) steps = steps.map((step) => ({ ...step, pauseSeconds: null, untilPromoted: false }));
  }
  return {
    ok: true,
    plan: {
      strategy,
      steps,
      canaryReplicas: request.canaryReplicas ?? replicas,
      replicas,
      progressDeadlineSeconds: deadline ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
      isRollback,
    },
  };
}

function toSpec(input: ReleaseStepInput): ReleaseStepSpec {
  return { weight: input.weight, pauseSeconds: input.pauseSeconds ?? null, untilPromoted: input.untilPromoted ?? false };
}

/** How a step waits once its weight is applied: rollbacks never wait. */
export type StepPause = { kind: 'NONE' } | { kind: 'TIMED'; seconds: number } | { kind: 'UNTIL_PROMOTED' };

/** Returns the wait `step` asks for in `state`: none for rollbacks, else its gate or timer. */
export function pauseOf(state: Pick<ReleaseState, 'isRollback'>, step: ReleaseStepSpec): StepPause {
  if (state.isRollback) return { kind: 'NONE' };
  if (step.untilPromoted) return { kind: 'UNTIL_PROMOTED' };
  if (step.pauseSeconds !== null) return { kind: 'TIMED', seconds: step.pauseSeconds };
  return { kind: 'NONE' };
}

/** Returns the step that has started and not finished (RUNNING or WAITING_FOR_PROMOTION), if any. */
export function activeStep(state: ReleaseState): ReleaseStep | undefined {
  const step = state.currentStepIndex === null ? undefined : state.steps[state.currentStepIndex];
  return step && (step.status === 'RUNNING' || step.status === 'WAITING_FOR_PROMOTION') ? step : undefined;
}

/** Returns the first step not yet started (PENDING): the next one to start, if any. */
export function nextStep(state: ReleaseState): ReleaseStep | undefined {
  return state.steps.find((step) => step.status === 'PENDING');
}

/**
 * Returns how many ready canary pods the release needs now: for the step it is at, or else the one
 * it starts next. The 100% step needs the environment's full replicas, since at 100 the canary
 * carries all traffic and then becomes stable; earlier steps need canaryReplicas.
 */
export function podsNeeded(state: ReleaseState): number {
  const step = activeStep(state) ?? nextStep(state);
  return step?.weight === 100 ? state.replicas : state.canaryReplicas;
}
