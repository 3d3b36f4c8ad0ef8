import { DomainError } from '../shared/errors.ts';

/** One series of a range query: its labels and [unix seconds, value] pairs. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** One sample of an instant query. */
export interface InstantSample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Prometheus (or Alertmanager) is not there: a clear API error, never a stack. The message names
 * what is missing and what to set; it never holds a query (which may carry user input).
 */
export function monitoringUnavailable(message: string): DomainError {
  return new DomainError('INTERNAL_SERVER_ERROR', message, { unavailable: true });
}

/** True for the error {@link monitoringUnavailable} makes. */
export function isMonitoringUnavailable(error: unknown): boolean {
  return error instanceof DomainError && error.details['unavailable'] === true;
}

/**
 * The Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`, `/-/reload`, `/-/ready`).
 * Queries are built by Gantry only (metrics/queries.ts); callers never pass PromQL through.
 */
export class PrometheusClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** @throws the unavailable error when Prometheus cannot be reached or refuses the query. */
  async queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<RangeSeries[]> {
    const data = await this.api('/api/v1/query_range', { query: expr, start: String(start.getTime() / 1000), end: String(end.getTime() / 1000), step: String(stepSeconds) });
    return (data as { result: RangeSeries[] }).result;
  }

  /** @throws the unavailable error when Prometheus cannot be reached or refuses the query. */
  async query(expr: string, at?: Date): Promise<InstantSample[]> {
    const params: Record<string, string> = { query: expr };
    if (at) params['time'] = String(at.getTime() / 1000);
    const data = await this.api('/api/v1/query', params);
    return (data as { result: InstantSample[] }).result;
  }

  /** Asks Prometheus to re-read its configuration and rule files. @throws when it refuses or is unreachable. */
  async reload(): Promise<void> {
    const res = await fetch(`${this.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(this.timeoutMs) }).catch(() => null);
    if (!res?.ok) throw monitoringUnavailable(`Prometheus did not reload its rules (${res ? `HTTP ${res.status}` : 'unreachable'})`);
  }

  /** True when `/-/ready` answers 200. */
  async ready(): Promise<boolean> {
    return fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
  }

  private async api(path: string, params: Record<string, string>): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw monitoringUnavailable('Prometheus is unreachable; metrics are unavailable until it answers again');
    }
    const body = (await res.json().catch(() => null)) as { status?: string; data?: unknown; errorType?: string } | null;
    if (!res.ok || body?.status !== 'success') {
      // Gantry builds every query, so a refusal is Prometheus' trouble (overload, timeout), not the caller's.
      throw monitoringUnavailable(`Prometheus refused the query (${body?.errorType ?? `HTTP ${res.status}`})`);
    }
    return body.data;
  }
}
