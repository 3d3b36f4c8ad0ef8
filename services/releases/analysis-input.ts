import type { AnalysisInput } from '../../resolvers/types.generated.ts';
import { badInput } from '../shared/errors.ts';
import type { AnalysisSpec } from './model.ts';

/** Seconds between canary analysis checks unless the release says otherwise. */
export const DEFAULT_ANALYSIS_INTERVAL_SECONDS = 60;
/**
 * Canary requests a check needs unless the release says otherwise: with 50, a canary failing one
 * request in five shows at least a few errors in any window that counts; with a handful (a 5 s
 * window of a canary at 20% of a quiet service) it can show none and pass.
 */
export const DEFAULT_ANALYSIS_MIN_REQUESTS = 50;

/**
 * `CreateReleaseInput.analysis`, checked: at least one threshold, an error ratio in 0..1, a p99
 * over 0 (at most an hour), an interval of 5 to 3600 s, a failure limit of 1 to 100, a minimum of
 * 1 to 1,000,000 requests per check.
 * @throws BAD_USER_INPUT naming `input.analysis.<field>`.
 */
export function checkAnalysis(input: AnalysisInput | null | undefined, strategy: string | null | undefined): AnalysisSpec | null {
  if (!input) return null;
  if (strategy != null && strategy !== 'CANARY') throw badInput('input.analysis', 'input.analysis applies to CANARY releases only');
  const field = (name: string) => `input.analysis.${name}`;
  const { maxErrorRatio = null, maxLatencyP99Seconds = null } = input;
  if (maxErrorRatio === null && maxLatencyP99Seconds === null) throw badInput('input.analysis', 'input.analysis needs maxErrorRatio or maxLatencyP99Seconds');
  if (maxErrorRatio !== null && !(maxErrorRatio >= 0 && maxErrorRatio <= 1)) throw badInput(field('maxErrorRatio'), `${field('maxErrorRatio')} must be from 0 to 1`);
  if (maxLatencyP99Seconds !== null && !(maxLatencyP99Seconds > 0 && maxLatencyP99Seconds <= 3600)) throw badInput(field('maxLatencyP99Seconds'), `${field('maxLatencyP99Seconds')} must be over 0 and at most 3600`);
  const intervalSeconds = input.intervalSeconds ?? DEFAULT_ANALYSIS_INTERVAL_SECONDS;
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 5 || intervalSeconds > 3600) throw badInput(field('intervalSeconds'), `${field('intervalSeconds')} must be an integer from 5 to 3600`);
  const failureLimit = input.failureLimit ?? 1;
  if (!Number.isInteger(failureLimit) || failureLimit < 1 || failureLimit > 100) throw badInput(field('failureLimit'), `${field('failureLimit')} must be an integer from 1 to 100`);
  const minRequests = input.minRequests ?? DEFAULT_ANALYSIS_MIN_REQUESTS;
  if (!Number.isInteger(minRequests) || minRequests < 1 || minRequests > 1_000_000) throw badInput(field('minRequests'), `${field('minRequests')} must be an integer from 1 to 1000000`);
  return { maxErrorRatio, maxLatencyP99Seconds, intervalSeconds, failureLimit, minRequests };
}
