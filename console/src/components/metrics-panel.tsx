import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql/index.ts';
import type { StandardMetric } from '../gql/graphql.ts';
import { MetricChart, type ChartSeries } from './metric-chart.tsx';
import { ErrorText } from './ui.tsx';

const EnvironmentMetrics = graphql(`
  query EnvironmentMetrics($id: ID!, $metrics: [StandardMetric!]!, $range: MetricRange!) {
    node(id: $id) {
      ... on Environment { metrics(metrics: $metrics, range: $range, byVersion: true) { name version points { at value } } }
    }
  }
`);

const number = (digits: number) => (v: number) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(digits));
const CHARTS: { metric: StandardMetric; title: string; format: (v: number) => string }[] = [
  { metric: 'REQUESTS_PER_SECOND', title: 'Requests per second', format: number(1) },
  { metric: 'ERROR_RATIO', title: 'Errors (share of requests answered 5xx)', format: (v) => `${(v * 100).toFixed(1)}%` },
  { metric: 'LATENCY_P99_SECONDS', title: 'Latency, 99th percentile', format: (v) => `${(v * 1000).toFixed(0)} ms` },
  { metric: 'CPU_CORES', title: 'CPU (cores)', format: number(2) },
  { metric: 'MEMORY_BYTES', title: 'Memory (working set)', format: (v) => `${(v / 2 ** 20).toFixed(0)} MiB` },
];
const METRICS = CHARTS.map((c) => c.metric);
const WINDOWS = [5, 15, 60] as const;
/** Metrics have no stream in the API: the charts read the window again this often. */
const REFRESH_MS = 10_000;

/** The versions to compare: what the environment serves and the release in progress. */
export interface MetricsVersions {
  stable: string | null;
  canary: string | null;
}

/**
 * Standard metrics of the environment, one series per release version (`byVersion`): stable and
 * canary side by side on each chart, with their latest values in a table for screen readers.
 * Loaded on demand (uPlot is in this chunk only).
 */
export default function MetricsPanel({ environmentId, versions }: { environmentId: string; versions: MetricsVersions }) {
  const [minutes, setMinutes] = useState<(typeof WINDOWS)[number]>(5);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const range = useMemo(() => {
    const end = Math.floor(now / 1000) * 1000;
    // About 150 points per series whatever the window.
    return { start: new Date(end - minutes * 60_000).toISOString(), end: new Date(end).toISOString(), stepSeconds: Math.max(2, Math.round((minutes * 60) / 150)) };
  }, [now, minutes]);
  const [{ data, error }] = useQuery({ query: EnvironmentMetrics, variables: { id: environmentId, metrics: METRICS, range }, requestPolicy: 'network-only' });
  const [last, setLast] = useState<typeof data>(undefined);
  // Keep the previous charts on screen while the next window loads.
  useEffect(() => {
    if (data) setLast(data);
  }, [data]);
  const all = last?.node && 'metrics' in last.node ? last.node.metrics : null;

  return (
    <section aria-labelledby="metrics" className="panel">
      <h2 id="metrics">Metrics</h2>
      <div className="commands">
        <label>Window{' '}
          <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value) as (typeof WINDOWS)[number])}>
            {WINDOWS.map((m) => <option key={m} value={m}>last {m} minutes</option>)}
          </select>
        </label>
        <button type="button" onClick={() => setNow(Date.now())}>Refresh</button>
        <p className="muted">
          <span className="key key-stable" aria-hidden="true" /> stable {versions.stable ?? '–'}
          {' · '}<span className="key key-canary" aria-hidden="true" /> canary {versions.canary ?? '(none in progress)'}
        </p>
      </div>
      <ErrorText error={error} />
      {!all && !error && <p className="loading">Loading metrics…</p>}
      {all && (
        <div className="charts">
          {CHARTS.map((chart) => {
            const series = chartSeries(all.filter((s) => s.name === chart.metric), versions);
            return (
              <figure key={chart.metric} aria-labelledby={`chart-${chart.metric}`} data-metric={chart.metric}>
                <figcaption id={`chart-${chart.metric}`}>{chart.title}</figcaption>
                {series.length === 0 ? <p className="muted">No data in this window.</p> : (
                  <>
                    <MetricChart title={chart.title} series={series} format={chart.format} />
                    <LatestValues series={series} format={chart.format} caption={`${chart.title}: latest values`} />
                  </>
                )}
              </figure>
            );
          })}
        </div>
      )}
    </section>
  );
}

function chartSeries(series: readonly { version?: string | null; points: { at: string; value?: number | null }[] }[], versions: MetricsVersions): ChartSeries[] {
  const role = (v: string | null | undefined): ChartSeries['role'] => (v && v === versions.canary ? 'canary' : v && v === versions.stable ? 'stable' : 'other');
  const order = { stable: 0, canary: 1, other: 2 };
  return series
    .map((s) => ({ label: s.version ?? 'all', role: role(s.version), points: s.points.map((p) => ({ at: p.at, value: p.value ?? null })) }))
    .sort((a, b) => order[a.role] - order[b.role] || a.label.localeCompare(b.label));
}

function LatestValues({ series, format, caption }: { series: ChartSeries[]; format: (v: number) => string; caption: string }) {
  return (
    <table className="latest">
      <caption className="sr-only">{caption}</caption>
      <thead><tr><th scope="col">Version</th><th scope="col">Track</th><th scope="col">Latest</th></tr></thead>
      <tbody>
        {series.map((s) => {
          const value = [...s.points].reverse().find((p) => p.value != null)?.value;
          return (
            <tr key={s.label} data-version={s.label} data-role={s.role}>
              <td>{s.label}</td><td>{s.role}</td><td data-testid="latest-value">{value == null ? '–' : format(value)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
