import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a chart: a release version's values. */
export interface ChartSeries {
  label: string;
  /** stable: solid blue; canary: dashed orange; other versions: grey. */
  role: 'stable' | 'canary' | 'other';
  points: readonly { at: string; value: number | null }[];
}

const STROKES = { stable: { stroke: '#0b5cad', dash: [] }, canary: { stroke: '#b35900', dash: [6, 4] }, other: { stroke: '#6e7781', dash: [] } };

/** The series on one time axis (seconds), a missing point left as a gap. */
function aligned(series: readonly ChartSeries[]): uPlot.AlignedData {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => Date.parse(p.at) / 1000)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  return [
    times,
    ...series.map((s) => {
      const ys: (number | null)[] = times.map(() => null);
      for (const p of s.points) ys[index.get(Date.parse(p.at) / 1000)!] = p.value;
      return ys;
    }),
  ];
}

/**
 * A line chart (uPlot, drawn on a canvas) of a metric's series side by side on one time axis. The
 * canvas is hidden from screen readers: the panel states the latest values in a table beside it.
 */
export function MetricChart({ title, series, format }: { title: string; series: readonly ChartSeries[]; format: (value: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}:${s.role}`).join(',');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const options: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 180,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{}, { values: (_, ticks) => ticks.map((t) => format(t)), size: 70 }],
      series: [{}, ...series.map((s) => ({ label: s.label, width: 2, spanGaps: false, ...STROKES[s.role] }))],
    };
    plot.current = new uPlot(options, aligned(series), el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(280, el.clientWidth), height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Recreated only when the set of series changes; new values go through setData below.
  }, [shape, format]);

  useEffect(() => {
    plot.current?.setData(aligned(series));
  }, [series]);

  return <div ref={box} className="chart" aria-hidden="true" data-series={series.map((s) => s.label).join(',')} title={title} />;
}
