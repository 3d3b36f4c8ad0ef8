import type { MetricRange, StandardMetric } from '../../resolvers/types.generated.ts';
import { badInput } from '../shared/errors.ts';
import { METRIC_NAME } from './queries.ts';
import type { RangeSeries } from './prometheus.ts';

/** Prometheus refuses more points per series than this. */
export const MAX_POINTS = 11_000;
export const MAX_RANGE_DAYS = 31;

/** A checked range. */
export interface CheckedRange {
  start: Date;
  end: Date;
  stepSeconds: number;
}

/** @throws BAD_USER_INPUT naming `range.*`. */
export function checkRange(range: MetricRange): CheckedRange {
  const { start, end, stepSeconds } = range;
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1 || stepSeconds > 86_400) throw badInput('range.stepSeconds', 'range.stepSeconds must be an integer from 1 to 86400');
  if (!(end.getTime() > start.getTime())) throw badInput('range.end', 'range.end must be after range.start');
  const seconds = (end.getTime() - start.getTime()) / 1000;
  if (seconds > MAX_RANGE_DAYS * 86_400) throw badInput('range.start', `the range may span at most ${MAX_RANGE_DAYS} days`);
  if (seconds / stepSeconds > MAX_POINTS) throw badInput('range.stepSeconds', `the range holds more than ${MAX_POINTS} points at this step; use a larger stepSeconds`);
  return { start, end, stepSeconds };
}

/** @throws BAD_USER_INPUT unless 1 to 6 distinct metrics. */
export function checkMetrics(metrics: readonly StandardMetric[]): StandardMetric[] {
  if (metrics.length === 0 || metrics.length > 6) throw badInput('metrics', 'metrics must name 1 to 6 metrics');
  if (new Set(metrics).size !== metrics.length) throw badInput('metrics', 'metrics must not name a metric twice');
  return [...metrics];
}

/** @throws BAD_USER_INPUT unless a valid Prometheus metric name (the value is not echoed). */
export function checkMetricName(name: string): string {
  if (!METRIC_NAME.test(name)) throw badInput('name', 'name must be a Prometheus metric name: [a-zA-Z_:][a-zA-Z0-9_:]*, at most 200 characters');
  return name;
}

/** A series as the API returns it. */
export interface SeriesView {
  name: string;
  version: string | null;
  points: { at: Date; value: number | null }[];
}

/** A Prometheus sample value as a number, or null for NaN/±Inf. */
export function sampleValue(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Prometheus' matrix as MetricSeries: one (possibly empty) series when not by version. */
export function toSeries(name: string, result: RangeSeries[], versionLabel: string | null): SeriesView[] {
  const series = result.map((s) => ({
    name,
    version: versionLabel ? (s.metric[versionLabel] ?? null) : null,
    points: s.values.map(([at, value]) => ({ at: new Date(at * 1000), value: sampleValue(value) })),
  }));
  if (!versionLabel && series.length === 0) return [{ name, version: null, points: [] }];
  return series.sort((a, b) => String(a.version).localeCompare(String(b.version), undefined, { numeric: true }));
}
