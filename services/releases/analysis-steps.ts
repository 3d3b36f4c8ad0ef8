/**
 * The canary analysis part of the release machine (machine.ts): how a step waits for its checks,
 * and what one check (services/metrics/analysis.ts) does to the release. Pure, like the machine.
 */
import { isFinalStatus } from './model.ts';
import type { AnalysisResult, NewReleaseEvent, ReleaseState, ReleaseStep, Transition } from './model.ts';
import { activeStep } from './steps.ts';
import { event, label, unchanged, withStep } from './transition-parts.ts';

type Helpers = {
  finalize: (state: ReleaseState, status: 'ABORTED', message: string, now: Date) => { state: ReleaseState; events: NewReleaseEvent[] };
  withPhase: (state: ReleaseState) => ReleaseState;
  accept: (before: ReleaseState, next: ReleaseState, events: NewReleaseEvent[]) => Transition;
};

/** With analysis, a canary step below 100% holds until a check of it passed. */
export function awaitingAnalysis(state: ReleaseState, step: ReleaseStep): boolean {
  return Boolean(state.analysis) && step.weight < 100 && !step.analysisPassedAt;
}

/** What a held step waits for, for the status message and the deadline's reason. */
export function analysisHold(step: ReleaseStep): string {
  return step.analysisWaiting ? `waiting for canary traffic to analyse (${step.analysisWaiting.message})` : 'waiting for the canary analysis to pass';
}

/**
 * A check of the active step: passed (the step may advance), failed, failed `failureLimit` times
 * in a row (ABORTED at once, as abortRelease), or waiting (too few canary requests to judge: one
 * ANALYSIS_WAITING event per step, then the status message refreshed once per interval so a
 * waiting release does not write on every tick). A result for another step, one not applied yet,
 * or a finished release changes nothing (a late check after a promotion).
 */
export function analyzed(state: ReleaseState, input: AnalysisResult, now: Date, h: Helpers): Transition {
  const step = activeStep(state);
  if (isFinalStatus(state.status) || !step || step.index !== input.stepIndex || step.weightAppliedAt === null) return unchanged(state);
  if (step.analysisPassedAt) return unchanged(state);
  const at = { stepIndex: step.index, weight: state.declaredWeight };
  if (input.waiting) {
    const previous = step.analysisWaiting;
    const interval = (state.analysis?.intervalSeconds ?? 60) * 1000;
    if (previous && now.getTime() - previous.at.getTime() < interval) return unchanged(state);
    const next = h.withPhase(withStep(state, step.index, { analysisWaiting: { message: input.message, at: now } }));
    return h.accept(state, next, previous ? [] : [event('ANALYSIS_WAITING', now, `step ${label(step)}: canary analysis waits for traffic: ${input.message}`, at)]);
  }
  const counted = step.analysisWaiting ? withStep(state, step.index, { analysisWaiting: null }) : state;
  if (input.passed) {
    const next = h.withPhase(withStep(counted, step.index, { analysisPassedAt: now }));
    return h.accept(state, next, [event('ANALYSIS_PASSED', now, `step ${label(step)}: ${input.message}`, at)]);
  }
  const failed = event('ANALYSIS_FAILED', now, `step ${label(step)}: ${input.message}`, at);
  if (!input.abort) return h.accept(state, h.withPhase(counted), [failed]);
  const done = h.finalize(counted, 'ABORTED', input.message, now);
  return h.accept(state, done.state, [failed, ...done.events]);
}
