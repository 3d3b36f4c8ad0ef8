import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import { analysisMeasurements } from '../../db/schema/index.ts';
import type { AnalysisResult, ReleaseState } from '../releases/model.ts';
import { activeStep } from '../releases/steps.ts';
import type { Monitoring } from './monitoring.ts';
import { DEFAULT_ANALYSIS_MIN_REQUESTS } from '../releases/analysis-input.ts';
import { observedWeightQuery, versionMetricQuery, versionRequestsQuery, type MetricScope } from './queries.ts';
import { sampleValue } from './range.ts';

export type AnalysisMeasurementRow = typeof analysisMeasurements.$inferSelect;

/** What one due check produced: the machine's input, and the rows to write in its transaction. */
export interface AnalysisCheck {
  input: AnalysisResult;
  record: (tx: Tx) => Promise<void>;
}

/** `Release.analysis`, oldest first. */
export function measurementsOf(db: Database, releaseId: string): Promise<AnalysisMeasurementRow[]> {
  return db.select().from(analysisMeasurements).where(eq(analysisMeasurements.releaseId, releaseId)).orderBy(asc(analysisMeasurements.at), asc(analysisMeasurements.metric));
}

const LABEL = { ERROR_RATIO: 'error ratio', LATENCY_P99_SECONDS: 'p99 latency (s)' } as const;

/**
 * The canary analysis of the release engine (Argo Rollouts' AnalysisRun, Flagger's checks): for
 * the active canary step below 100%, once its weight has been applied for an interval and then
 * every interval, the canary version's error ratio and/or p99 over the last interval from
 * Prometheus, against the release's thresholds. A window in which the canary served fewer than
 * `minRequests` requests is not judged: the step waits (ANALYSIS_WAITING) and the window grows from
 * the previous check until it holds enough, because a rate over a handful of requests can show a
 * failing canary as clean. No Prometheus is not a check at all. Either way the progress deadline
 * applies. `failureLimit` failed checks of the step in a row abort the release.
 */
export function createCanaryAnalyzer(deps: { db: Database; monitoring: Monitoring }) {
  return async (release: { id: string; version: string }, state: ReleaseState, scope: MetricScope, now: Date): Promise<AnalysisCheck | null> => {
    const spec = state.analysis;
    const step = activeStep(state);
    if (!spec || state.strategy !== 'CANARY' || !step || step.weight >= 100 || !step.weightAppliedAt || step.analysisPassedAt) return null;
    const prometheus = deps.monitoring.prometheusOrNull;
    if (!prometheus) return null;
    const previous = await deps.db
      .select()
      .from(analysisMeasurements)
      .where(and(eq(analysisMeasurements.releaseId, release.id), eq(analysisMeasurements.stepIndex, step.index)))
      .orderBy(desc(analysisMeasurements.at))
      .limit(200);
    const since = Math.max(step.weightAppliedAt.getTime(), previous[0]?.at.getTime() ?? 0);
    if (now.getTime() - since < spec.intervalSeconds * 1000) return null;
    // The window reaches back to the previous check (or the weight's application), so waiting for
    // traffic widens it; at least 4 scrapes, so a rate has samples; at most MAX_WINDOW_SECONDS.
    const sinceSeconds = Math.round((now.getTime() - since) / 1000);
    const window = Math.min(MAX_WINDOW_SECONDS, Math.max(spec.intervalSeconds, 4 * deps.monitoring.scrapeSeconds, sinceSeconds));
    const minRequests = spec.minRequests ?? DEFAULT_ANALYSIS_MIN_REQUESTS;
    const [served] = await prometheus.query(versionRequestsQuery(scope, release.version, window), now).catch(() => []);
    const requests = served ? sampleValue(served.value[1]) ?? 0 : 0;
    if (requests < minRequests) {
      const message = `${Math.floor(requests)} of ${minRequests} canary requests in the last ${window} s`;
      return { input: { type: 'ANALYZED', stepIndex: step.index, passed: false, abort: false, waiting: true, message }, record: async () => {} };
    }
    const checks = [
      ...(spec.maxErrorRatio !== null ? [{ metric: 'ERROR_RATIO' as const, threshold: spec.maxErrorRatio }] : []),
      ...(spec.maxLatencyP99Seconds !== null ? [{ metric: 'LATENCY_P99_SECONDS' as const, threshold: spec.maxLatencyP99Seconds }] : []),
    ];
    const measured: { metric: 'ERROR_RATIO' | 'LATENCY_P99_SECONDS'; threshold: number; value: number }[] = [];
    for (const check of checks) {
      const [sample] = await prometheus.query(versionMetricQuery(check.metric, scope, release.version, window), now).catch(() => []);
      const value = sample ? sampleValue(sample.value[1]) : null;
      if (value === null) return null;
      measured.push({ ...check, value });
    }
    const passed = measured.every((m) => m.value <= m.threshold);
    const [observedSample] = await prometheus.query(observedWeightQuery(scope, release.version, window), now).catch(() => []);
    const observed = observedSample ? sampleValue(observedSample.value[1]) : null;
    const text = measured.map((m) => `${LABEL[m.metric]} ${round(m.value)} ${m.value <= m.threshold ? '≤' : '>'} threshold ${m.threshold}`).join(', ') + observedWeightNote(observed, state.appliedWeight);
    let failuresInRow = passed ? 0 : 1;
    if (!passed) {
      // Earlier checks of this step, newest first, grouped by their time: count the failed ones in a row.
      const byCheck = new Map<number, boolean>();
      for (const row of previous) byCheck.set(row.at.getTime(), (byCheck.get(row.at.getTime()) ?? true) && row.passed);
      for (const ok of byCheck.values()) {
        if (ok) break;
        failuresInRow += 1;
      }
    }
    const abort = !passed && failuresInRow >= spec.failureLimit;
    const failed = measured.filter((m) => m.value > m.threshold).map((m) => `${LABEL[m.metric]} ${round(m.value)} > threshold ${m.threshold}`).join(', ');
    const message = abort ? `canary analysis failed ${failuresInRow} time(s) in a row: ${failed}` : `canary analysis ${passed ? 'passed' : `failed (${failuresInRow}/${spec.failureLimit})`}: ${text}`;
    return {
      input: { type: 'ANALYZED', stepIndex: step.index, passed, message, abort },
      record: async (tx) => {
        await tx.insert(analysisMeasurements).values(measured.map((m) => ({ id: randomUUID(), releaseId: release.id, stepIndex: step.index, at: now, metric: m.metric, value: m.value, threshold: m.threshold, passed: m.value <= m.threshold })));
      },
    };
  };
}

/** The widest window a check looks back over while it waits for canary traffic. */
const MAX_WINDOW_SECONDS = 6 * 3600;

/** The points observed and applied weight may differ before a check flags the step. */
export const WEIGHT_DIVERGENCE_POINTS = 10;

/** Observed beside applied weight, for a check's event; a step whose canary served far from its share is flagged. */
export function observedWeightNote(observed: number | null, applied: number | null): string {
  if (observed === null || applied === null) return '';
  const far = Math.abs(observed - applied) > WEIGHT_DIVERGENCE_POINTS;
  return `; observed weight ${Math.round(observed)}% (applied ${applied}%)${far ? ' — FLAGGED: observed weight far from applied' : ''}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
