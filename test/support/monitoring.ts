import { execFileSync } from 'node:child_process';
import { FAST_RELEASES } from './releases.ts';

function installed(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the real Prometheus and Alertmanager can run here. A suite that needs them is skipped
 * with a printed notice when they are missing, except in CI (CI=true), where that is a failure.
 */
export function monitoringAvailable(suite: string): boolean {
  const missing = ['prometheus', 'promtool', 'prometheus-alertmanager'].filter((b) => !installed(b));
  if (missing.length === 0) return true;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${missing.join(', ')} not installed (apt-get install prometheus prometheus-alertmanager)`);
  console.warn(`${suite}: skipped, ${missing.join(', ')} not installed (apt-get install prometheus prometheus-alertmanager)`);
  return false;
}

/**
 * A server with the embedded cluster (fast), the release engine ticking every 100 ms, and a
 * managed Prometheus and Alertmanager scraping and evaluating every second.
 */
export const WITH_MONITORING = {
  env: { ...FAST_RELEASES.env, GANTRY_MANAGED_MONITORING: '1', GANTRY_PROMETHEUS_SCRAPE_SECONDS: '1' },
  start: FAST_RELEASES.start,
};

/** The last `seconds` as a MetricRange at one-second steps. */
export function lastSeconds(seconds: number, stepSeconds = 1): { start: string; end: string; stepSeconds: number } {
  const end = new Date();
  return { start: new Date(end.getTime() - seconds * 1000).toISOString(), end: end.toISOString(), stepSeconds };
}

/** The last non-null value of a series, or null. */
export function lastValue(series: { points: { value: number | null }[] } | undefined): number | null {
  const points = series?.points.filter((p) => p.value !== null) ?? [];
  return points.length ? points[points.length - 1]!.value : null;
}
