import { describe, expect, it } from 'vitest';
import { DEFAULT_CANARY_STEPS } from '../../../services/releases/model.ts';
import type { FieldError, ReleasePlan, ReleaseStepInput } from '../../../services/releases/model.ts';
import { pauseOf, planRelease, validateSteps } from '../../../services/releases/steps.ts';
import type { EnvironmentFacts, ReleaseRequest } from '../../../services/releases/steps.ts';

const protectedEnv: EnvironmentFacts = { protected: true, replicas: 4, hasStable: true };
const openEnv: EnvironmentFacts = { protected: false, replicas: 3, hasStable: true };

function planOf(request: ReleaseRequest, environment: EnvironmentFacts = protectedEnv): ReleasePlan {
  const result = planRelease(request, environment);
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.errors)}`);
  return result.plan;
}

function errorsOf(request: ReleaseRequest, environment: EnvironmentFacts = protectedEnv): FieldError[] {
  const result = planRelease(request, environment);
  if (result.ok) throw new Error('expected field errors, got a plan');
  return result.errors;
}

describe('validateSteps', () => {
  it.each<{ rule: string; steps: ReleaseStepInput[] }>([
    { rule: 'a single 100% step is valid', steps: [{ weight: 100 }] },
    { rule: 'increasing weights ending at 100 are valid', steps: [{ weight: 1 }, { weight: 2 }, { weight: 100 }] },
    { rule: 'gates and timed pauses before 100% are valid', steps: [{ weight: 10, untilPromoted: true }, { weight: 50, pauseSeconds: 300 }, { weight: 100 }] },
    { rule: 'a timed pause of exactly 7 days is valid', steps: [{ weight: 10, pauseSeconds: 604_800 }, { weight: 100 }] },
    { rule: 'explicit nulls and false mean no pause', steps: [{ weight: 10, pauseSeconds: null, untilPromoted: false }, { weight: 100, pauseSeconds: null, untilPromoted: null }] },
  ])('$rule', ({ steps }) => {
    expect(validateSteps(steps)).toEqual([]);
  });

  it.each<{ rule: string; steps: ReleaseStepInput[]; field: string; message: string }>([
    { rule: 'no steps at all is refused', steps: [], field: 'steps', message: 'give at least one step; the last must have weight 100' },
    { rule: 'a weight of 0 is refused', steps: [{ weight: 0 }, { weight: 100 }], field: 'steps[0].weight', message: 'must be a whole number from 1 to 100 (got 0)' },
    { rule: 'a weight above 100 is refused', steps: [{ weight: 50 }, { weight: 101 }], field: 'steps[1].weight', message: 'must be a whole number from 1 to 100 (got 101)' },
    { rule: 'a fractional weight is refused', steps: [{ weight: 12.5 }, { weight: 100 }], field: 'steps[0].weight', message: 'must be a whole number from 1 to 100 (got 12.5)' },
    { rule: 'a weight equal to the previous one is refused', steps: [{ weight: 20 }, { weight: 20 }, { weight: 100 }], field: 'steps[1].weight', message: 'must be greater than steps[0].weight (20): weights strictly increase' },
    { rule: 'a decreasing weight is refused', steps: [{ weight: 50 }, { weight: 10 }, { weight: 100 }], field: 'steps[1].weight', message: 'must be greater than steps[0].weight (50): weights strictly increase' },
    { rule: 'a plan not ending at 100 is refused rather than completed silently', steps: [{ weight: 10 }, { weight: 50 }], field: 'steps', message: 'the last step must have weight 100 (got 50): a release ends with all traffic on the new version' },
    { rule: 'a pause of 0 seconds is refused', steps: [{ weight: 10, pauseSeconds: 0 }, { weight: 100 }], field: 'steps[0].pauseSeconds', message: 'must be a whole number of seconds from 1 to 604800 (7 days) (got 0)' },
    { rule: 'a pause over 7 days is refused', steps: [{ weight: 10, pauseSeconds: 604_801 }, { weight: 100 }], field: 'steps[0].pauseSeconds', message: 'must be a whole number of seconds from 1 to 604800 (7 days) (got 604801)' },
    { rule: 'a negative pause is refused', steps: [{ weight: 10, pauseSeconds: -5 }, { weight: 100 }], field: 'steps[0].pauseSeconds', message: 'must be a whole number of seconds from 1 to 604800 (7 days) (got -5)' },
    { rule: 'both a timed pause and a gate on one step are refused', steps: [{ weight: 10, pauseSeconds: 60, untilPromoted: true }, { weight: 100 }], field: 'steps[0]', message: 'set pauseSeconds or untilPromoted, not both' },
    { rule: 'a gate on the 100% step is refused', steps: [{ weight: 10 }, { weight: 100, untilPromoted: true }], field: 'steps[1]', message: 'the 100% step cannot pause: the release succeeds as soon as it is applied' },
    { rule: 'a timed pause on the 100% step is refused', steps: [{ weight: 100, pauseSeconds: 30 }], field: 'steps[0]', message: 'the 100% step cannot pause: the release succeeds as soon as it is applied' },
  ])('$rule', ({ steps, field, message }) => {
    expect(validateSteps(steps)).toEqual([{ field, message }]);
  });

  it('reports every invalid field at once', () => {
    const errors = validateSteps([{ weight: 0 }, { weight: 30, pauseSeconds: 0 }, { weight: 20 }]);
    expect(errors.map((e) => e.field)).toEqual(['steps[0].weight', 'steps[1].pauseSeconds', 'steps[2].weight', 'steps']);
  });
});

describe('planRelease', () => {
  it('a protected environment defaults to CANARY with gates at 10% and 50%, then 100%', () => {
    expect(planOf({})).toEqual({
      strategy: 'CANARY',
      steps: DEFAULT_CANARY_STEPS,
      canaryReplicas: 4,
      replicas: 4,
      progressDeadlineSeconds: 600,
      isRollback: false,
    });
    expect(DEFAULT_CANARY_STEPS.map((s) => [s.weight, s.untilPromoted])).toEqual([[10, true], [50, true], [100, false]]);
  });

  it('an unprotected environment defaults to ROLLING, one step of 100%', () => {
    expect(planOf({}, openEnv)).toMatchObject({ strategy: 'ROLLING', steps: [{ weight: 100, pauseSeconds: null, untilPromoted: false }] });
  });

  it('the first release of an environment goes straight to 100%, whatever steps were asked for', () => {
    const first = { ...protectedEnv, hasStable: false };
    expect(planOf({}, first).steps).toEqual([{ weight: 100, pauseSeconds: null, untilPromoted: false }]);
    expect(planOf({ steps: [{ weight: 5, untilPromoted: true }, { weight: 100 }] }, first).steps).toHaveLength(1);
  });

  it('the first release still reports invalid steps', () => {
    expect(errorsOf({ steps: [{ weight: 50 }] }, { ...protectedEnv, hasStable: false })[0]?.field).toBe('steps');
  });

  it('explicit steps are kept, with absent pauses made explicit', () => {
    expect(planOf({ steps: [{ weight: 25, pauseSeconds: 60 }, { weight: 100 }] }).steps).toEqual([
      { weight: 25, pauseSeconds: 60, untilPromoted: false },
      { weight: 100, pauseSeconds: null, untilPromoted: false },
    ]);
  });

  it('an explicit strategy wins over the environment default', () => {
    expect(planOf({ strategy: 'RECREATE' }).strategy).toBe('RECREATE');
    expect(planOf({ strategy: 'CANARY' }, openEnv).steps).toEqual(DEFAULT_CANARY_STEPS);
  });

  it('a rollback drops every pause but keeps the weights', () => {
    const plan = planOf({ isRollback: true, steps: [{ weight: 10, untilPromoted: true }, { weight: 40, pauseSeconds: 9 }, { weight: 100 }] });
    expect(plan.isRollback).toBe(true);
    expect(plan.steps.map((s) => [s.weight, s.pauseSeconds, s.untilPromoted])).toEqual([[10, null, false], [40, null, false], [100, null, false]]);
  });

  it('canaryReplicas and progressDeadlineSeconds are taken as asked', () => {
    expect(planOf({ canaryReplicas: 1, progressDeadlineSeconds: 120 })).toMatchObject({ canaryReplicas: 1, progressDeadlineSeconds: 120 });
  });

  it('an environment scaled to zero still releases onto one pod', () => {
    expect(planOf({}, { ...protectedEnv, replicas: 0 })).toMatchObject({ replicas: 1, canaryReplicas: 1 });
  });

  it.each<{ rule: string; request: ReleaseRequest; environment?: EnvironmentFacts; field: string }>([
    { rule: 'steps with ROLLING are refused', request: { strategy: 'ROLLING', steps: [{ weight: 100 }] }, field: 'steps' },
    { rule: 'steps for a defaulted ROLLING release are refused', request: { steps: [{ weight: 100 }] }, environment: openEnv, field: 'steps' },
    { rule: 'canaryReplicas with RECREATE is refused', request: { strategy: 'RECREATE', canaryReplicas: 2 }, field: 'canaryReplicas' },
    { rule: 'zero canaryReplicas is refused', request: { canaryReplicas: 0 }, field: 'canaryReplicas' },
    { rule: 'fractional canaryReplicas is refused', request: { canaryReplicas: 1.5 }, field: 'canaryReplicas' },
    { rule: 'a zero progressDeadlineSeconds is refused', request: { progressDeadlineSeconds: 0 }, field: 'progressDeadlineSeconds' },
    { rule: 'invalid canary steps are refused with their field', request: { steps: [{ weight: 10 }, { weight: 5 }, { weight: 100 }] }, field: 'steps[1].weight' },
  ])('$rule', ({ request, environment, field }) => {
    expect(errorsOf(request, environment).map((e) => e.field)).toEqual([field]);
  });
});

describe('pauseOf', () => {
  it.each([
    { rule: 'a gate waits for promotion', step: { weight: 10, pauseSeconds: null, untilPromoted: true }, isRollback: false, pause: { kind: 'UNTIL_PROMOTED' } },
    { rule: 'a timed pause waits its seconds', step: { weight: 10, pauseSeconds: 30, untilPromoted: false }, isRollback: false, pause: { kind: 'TIMED', seconds: 30 } },
    { rule: 'a step without a pause does not wait', step: { weight: 10, pauseSeconds: null, untilPromoted: false }, isRollback: false, pause: { kind: 'NONE' } },
    { rule: 'a rollback never waits at a gate', step: { weight: 10, pauseSeconds: null, untilPromoted: true }, isRollback: true, pause: { kind: 'NONE' } },
    { rule: 'a rollback never waits on a timer', step: { weight: 10, pauseSeconds: 30, untilPromoted: false }, isRollback: true, pause: { kind: 'NONE' } },
  ])('$rule', ({ step, isRollback, pause }) => {
    expect(pauseOf({ isRollback }, step)).toEqual(pause);
  });
});
