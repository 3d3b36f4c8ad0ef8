/**
 * The PromQL Gantry runs, built here and only here. Every selector is scoped to one
 * environment (cluster, namespace and app, from Gantry's own rows); the only part a user
 * chooses is a custom metric's name, which must be a valid metric name before it gets here.
 * No user text is ever placed in a query otherwise.
 */
import type { StandardMetric } from '../../resolvers/types.generated.ts';

/** Where an environment's series live. */
export interface MetricScope {
  cluster: string;
  namespace: string;
  app: string;
}

/** The label a query groups by when asked for one series per version, and the standard metric it answers. */
export interface BuiltQuery {
  expr: string;
  /** Label holding the release version in the result (byVersion), else null. */
  versionLabel: string | null;
}

/** A metric name Prometheus accepts (and nothing else: no braces, spaces or operators). */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/;

/** A PromQL string literal. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function istio(scope: MetricScope, extra = ''): string {
  return `{cluster=${quote(scope.cluster)},reporter="destination",destination_workload_namespace=${quote(scope.namespace)},destination_canonical_service=${quote(scope.app)}${extra}}`;
}

function podsOfApp(scope: MetricScope): string {
  return `kube_pod_labels{cluster=${quote(scope.cluster)},namespace=${quote(scope.namespace)},label_app_kubernetes_io_name=${quote(scope.app)}}`;
}

/** Joins a per-pod container series with the app's pods (and their version label). */
function perPod(scope: MetricScope, series: string, byVersion: boolean): string {
  const by = byVersion ? ' by (label_app_kubernetes_io_version)' : '';
  return `sum${by} (${series} * on (cluster, namespace, pod) group_left (label_app_kubernetes_io_version) ${podsOfApp(scope)})`;
}

/**
 * The query of a standard metric over a `windowSeconds` rate window.
 * @param windowSeconds at least 4 scrape intervals, so a rate has samples to work with.
 */
export function standardMetricQuery(metric: StandardMetric, scope: MetricScope, byVersion: boolean, windowSeconds: number): BuiltQuery {
  const w = `[${Math.max(1, Math.round(windowSeconds))}s]`;
  const container = `{cluster=${quote(scope.cluster)},namespace=${quote(scope.namespace)},container!="",container!="POD"}`;
  const podVersion = byVersion ? 'label_app_kubernetes_io_version' : null;
  const istioVersion = byVersion ? 'destination_version' : null;
  const by = byVersion ? ' by (destination_version)' : '';
  switch (metric) {
    case 'CPU_CORES':
      return { expr: perPod(scope, `rate(container_cpu_usage_seconds_total${container}${w})`, byVersion), versionLabel: podVersion };
    case 'MEMORY_BYTES':
      return { expr: perPod(scope, `container_memory_working_set_bytes${container}`, byVersion), versionLabel: podVersion };
    case 'RESTARTS':
      return { expr: perPod(scope, `kube_pod_container_status_restarts_total{cluster=${quote(scope.cluster)},namespace=${quote(scope.namespace)}}`, byVersion), versionLabel: podVersion };
    case 'REQUESTS_PER_SECOND':
      return { expr: `sum${by} (rate(istio_requests_total${istio(scope)}${w}))`, versionLabel: istioVersion };
    case 'ERROR_RATIO':
      // `or 0 * all`: a version without any 5xx has no error series at all, and its ratio is 0, not missing.
      const all = `sum${by} (rate(istio_requests_total${istio(scope)}${w}))`;
      return { expr: `(sum${by} (rate(istio_requests_total${istio(scope, ',response_code=~"5.."')}${w})) or 0 * ${all}) / ${all}`, versionLabel: istioVersion };
    case 'LATENCY_P99_SECONDS': {
      const le = byVersion ? 'le, destination_version' : 'le';
      return { expr: `histogram_quantile(0.99, sum by (${le}) (rate(istio_request_duration_milliseconds_bucket${istio(scope)}${w}))) / 1000`, versionLabel: istioVersion };
    }
  }
}

/** A canary check: one version's error ratio or p99 over the interval (an instant query). */
export function versionMetricQuery(metric: 'ERROR_RATIO' | 'LATENCY_P99_SECONDS', scope: MetricScope, version: string, windowSeconds: number): string {
  const v = `,destination_version=${quote(version)}`;
  const w = `[${Math.max(1, Math.round(windowSeconds))}s]`;
  if (metric === 'ERROR_RATIO') {
    const all = `sum(rate(istio_requests_total${istio(scope, v)}${w}))`;
    return `(sum(rate(istio_requests_total${istio(scope, `${v},response_code=~"5.."`)}${w})) or 0 * ${all}) / ${all}`;
  }
  return `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket${istio(scope, v)}${w}))) / 1000`;
}

/** Requests `version` served over the window (null result: none recorded). */
export function versionRequestsQuery(scope: MetricScope, version: string, windowSeconds: number): string {
  const w = `[${Math.max(1, Math.round(windowSeconds))}s]`;
  return `sum(increase(istio_requests_total${istio(scope, `,destination_version=${quote(version)}`)}${w}))`;
}

/** Percent of the environment's requests that `version` served over the window (null result: no traffic). */
export function observedWeightQuery(scope: MetricScope, version: string, windowSeconds: number): string {
  const w = `[${Math.max(1, Math.round(windowSeconds))}s]`;
  return `100 * sum(rate(istio_requests_total${istio(scope, `,destination_version=${quote(version)}`)}${w})) / sum(rate(istio_requests_total${istio(scope)}${w}))`;
}

/**
 * A metric of the app's own endpoint, limited to the app's scrape targets in this environment
 * (the labels Prometheus attaches to the target, which an app cannot override).
 * @param name a name that matched {@link METRIC_NAME}.
 */
export function customMetricQuery(name: string, scope: MetricScope, byVersion: boolean): BuiltQuery {
  if (!METRIC_NAME.test(name)) throw new Error('customMetricQuery: invalid metric name');
  const selector = `${name}{job="gantry-apps",cluster=${quote(scope.cluster)},namespace=${quote(scope.namespace)},app=${quote(scope.app)}}`;
  return byVersion ? { expr: `sum by (version) (${selector})`, versionLabel: 'version' } : { expr: `sum(${selector})`, versionLabel: null };
}
