import type { MetricRange, MetricsEndpointInput, StandardMetric } from '../../resolvers/types.generated.ts';
import { requireVisibleApp } from '../apps/service.ts';
import type { EnvironmentRow } from '../apps/repository.ts';
import { recordAudit } from '../audit/record.ts';
import type { ReleaseRow } from '../releases/repository.ts';
import type { RequestScope } from '../scope.ts';
import { badInput } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { requireIntInRange } from '../shared/validation.ts';
import { customMetricQuery, observedWeightQuery, standardMetricQuery, type MetricScope } from './queries.ts';
import { sampleValue, checkMetricName, checkMetrics, checkRange, toSeries, type SeriesView } from './range.ts';
import * as repo from './repository.ts';
import { measurementsOf, type AnalysisMeasurementRow } from './analysis.ts';

/** Seconds of requests `observedWeight` looks at. */
export const OBSERVED_WEIGHT_WINDOW_SECONDS = 60;

const ENDPOINT_PATH = /^\/[A-Za-z0-9\-._~/]{0,199}$/;

async function scopeOf(scope: RequestScope, environment: EnvironmentRow): Promise<MetricScope> {
  const app = await scope.loaders.appById.load(environment.appId);
  return { cluster: environment.cluster, namespace: environment.namespace, app: app?.name ?? environment.appName };
}

/** The rate window of a range: a step, but never under 4 scrapes (a rate needs two samples). */
function windowOf(scope: RequestScope, stepSeconds: number): number {
  return Math.max(stepSeconds, 4 * scope.monitoring.scrapeSeconds);
}

/**
 * `Environment.metrics`: one range query per metric, in parallel. The environment was already
 * authorized by whoever resolved it.
 * @throws BAD_USER_INPUT for a bad range or list; the unavailable error without Prometheus.
 */
export async function environmentMetrics(scope: RequestScope, environment: EnvironmentRow, metrics: readonly StandardMetric[], range: MetricRange, byVersion: boolean): Promise<SeriesView[]> {
  const wanted = checkMetrics(metrics);
  const r = checkRange(range);
  const prometheus = scope.monitoring.prometheus();
  const where = await scopeOf(scope, environment);
  const results = await Promise.all(
    wanted.map(async (metric) => {
      const query = standardMetricQuery(metric, where, byVersion, windowOf(scope, r.stepSeconds));
      return toSeries(metric, await prometheus.queryRange(query.expr, r.start, r.end, r.stepSeconds), query.versionLabel);
    }),
  );
  return results.flat();
}

/** `Environment.customMetric`: the app's own metric, only from this environment's scrape targets. */
export async function customMetric(scope: RequestScope, environment: EnvironmentRow, name: string, range: MetricRange, byVersion: boolean): Promise<SeriesView[]> {
  const metric = checkMetricName(name);
  const r = checkRange(range);
  const prometheus = scope.monitoring.prometheus();
  const query = customMetricQuery(metric, await scopeOf(scope, environment), byVersion);
  return toSeries(metric, await prometheus.queryRange(query.expr, r.start, r.end, r.stepSeconds), query.versionLabel);
}

/**
 * `Release.observedWeight`: percent of the environment's requests this release's version served
 * over the last minute; null without Prometheus, without traffic, or for a release with no pods.
 */
export async function observedWeight(scope: RequestScope, release: Pick<ReleaseRow, 'environmentId' | 'version'>): Promise<number | null> {
  const prometheus = scope.monitoring.prometheusOrNull;
  const environment = await scope.loaders.environmentById.load(release.environmentId);
  if (!prometheus || !environment) return null;
  const window = Math.max(OBSERVED_WEIGHT_WINDOW_SECONDS, 4 * scope.monitoring.scrapeSeconds);
  try {
    const [sample] = await prometheus.query(observedWeightQuery(await scopeOf(scope, environment), release.version, window));
    const value = sample ? sampleValue(sample.value[1]) : null;
    return value === null ? null : Math.round(value * 10) / 10;
  } catch {
    return null;
  }
}

/** `Release.analysis`: the canary checks so far, oldest first. */
export function analysisOf(scope: RequestScope, release: Pick<ReleaseRow, 'id'>): Promise<AnalysisMeasurementRow[]> {
  return measurementsOf(scope.db, release.id);
}

/** `App.metricsEndpoint`. */
export async function metricsEndpointOf(scope: RequestScope, appId: string): Promise<{ port: number; path: string } | null> {
  return scope.loaders.metricsEndpointByApp.load(appId);
}

/**
 * `updateMetricsEndpoint`: sets or removes the app's endpoint (DEVELOPER and above), audited; the
 * scrape targets are rewritten at once in this process (the others within their interval).
 */
export async function updateMetricsEndpoint(scope: RequestScope, appGlobalId: string, endpoint: MetricsEndpointInput | null | undefined) {
  const appId = idOf('App', appGlobalId, 'appId');
  let checked: { port: number; path: string } | null = null;
  if (endpoint) {
    requireIntInRange('endpoint.port', endpoint.port, 1, 65535);
    if (!ENDPOINT_PATH.test(endpoint.path) || endpoint.path.split('/').some((part) => part === '..' || part === '.')) {
      throw badInput('endpoint.path', "endpoint.path must be an absolute path of letters, digits and - _ . ~ / (at most 200 characters, no '.' or '..' segments)");
    }
    checked = { port: endpoint.port, path: endpoint.path };
  }
  const app = await requireVisibleApp(scope, appId, 'app.update');
  await scope.db.transaction(async (tx) => {
    await repo.saveEndpoint(tx, appId, checked, scope.clock.now());
    await recordAudit(tx, scope, { action: 'app.metrics-endpoint', targetType: 'App', targetId: appId, projectId: app.projectId, details: { appId: appGlobalId, endpoint: checked } });
  });
  scope.loaders.metricsEndpointByApp.clear(appId).prime(appId, checked);
  void scope.monitoring.targets.kick();
  return app;
}
