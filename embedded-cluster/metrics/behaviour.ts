/**
 * How a simulated app answers requests, decided by its image tag (like `unready` or
 * `crashloop` for the pod lifecycle): `errors` answers 20% of requests with a 5xx, `slow` has a
 * p99 latency of 2 s. Pure data and arithmetic; the traffic simulator applies it.
 */

/** Istio's default buckets of `istio_request_duration_milliseconds`. */
export const ISTIO_DURATION_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000] as const;

/** A share of requests whose latency falls in (lowerMs, upperMs]. */
export interface LatencyBand {
  lowerMs: number;
  upperMs: number;
  fraction: number;
}

/** What one version of an app does with the requests it serves. */
export interface TrafficBehaviour {
  /** Share of requests answered 500 (0..1). */
  errorRatio: number;
  /** Latency distribution; fractions sum to 1 and bands lie on bucket bounds. */
  latency: readonly LatencyBand[];
}

/**
 * A healthy app: p99 = 90 ms by Prometheus' `histogram_quantile` (linear within the bucket).
 * 95% of requests are under 50 ms.
 */
const NORMAL_LATENCY: readonly LatencyBand[] = [
  { lowerMs: 10, upperMs: 25, fraction: 0.5 },
  { lowerMs: 25, upperMs: 50, fraction: 0.45 },
  { lowerMs: 50, upperMs: 100, fraction: 0.05 },
];

/**
 * A `slow` app: 97% of requests in (250, 500] ms and 3% in (1000, 2500] ms, so the 99th
 * percentile interpolates to exactly 1000 + 1500 × (0.99 − 0.97) / 0.03 = 2000 ms.
 */
const SLOW_LATENCY: readonly LatencyBand[] = [
  { lowerMs: 250, upperMs: 500, fraction: 0.97 },
  { lowerMs: 1000, upperMs: 2500, fraction: 0.03 },
];

/** The image's tag (after the last `:` of the last path part), without a digest. */
export function imageTag(image: string | undefined): string {
  const last = (image ?? '').split('@')[0]!.split('/').pop() ?? '';
  const colon = last.indexOf(':');
  return colon < 0 ? '' : last.slice(colon + 1);
}

/** The behaviour an image asks for: tags containing `errors` and/or `slow`. */
export function trafficBehaviourOf(image: string | undefined): TrafficBehaviour {
  const tag = imageTag(image);
  return {
    errorRatio: tag.includes('errors') ? 0.2 : 0,
    latency: tag.includes('slow') ? SLOW_LATENCY : NORMAL_LATENCY,
  };
}
