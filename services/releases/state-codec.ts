import type { ReleaseState, ReleaseStep } from './model.ts';

const date = (v: unknown): Date | null => (v == null ? null : new Date(String(v)));

/** ReleaseState as stored in the `state` jsonb column (Dates as ISO strings). */
export function encodeState(state: ReleaseState): Record<string, unknown> {
  return JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
}

/** Back from jsonb: the ISO strings become Dates again. */
export function decodeState(raw: unknown): ReleaseState {
  const s = raw as Record<string, any>;
  return {
    ...(s as ReleaseState),
    steps: (s.steps as Record<string, unknown>[]).map(
      (step) =>
        ({
          ...step,
          startedAt: date(step.startedAt),
          finishedAt: date(step.finishedAt),
          weightAppliedAt: date(step.weightAppliedAt),
          ...(step.analysisPassedAt !== undefined && { analysisPassedAt: date(step.analysisPassedAt) }),
          ...(step.analysisWaiting != null && { analysisWaiting: { message: String((step.analysisWaiting as { message: unknown }).message), at: date((step.analysisWaiting as { at: unknown }).at)! } }),
        }) as ReleaseStep,
    ),
    waitingSince: date(s.waitingSince),
    createdAt: date(s.createdAt)!,
    finishedAt: date(s.finishedAt),
  };
}

/** True when two states would store the same JSON: nothing to commit. */
export function sameState(a: ReleaseState, b: ReleaseState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
