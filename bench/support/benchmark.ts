/**
 * What a benchmark is, what it returns, and how results are printed. Benchmarks report figures
 * measured side by side in one run; a figure over its target is a MISS, never an exception.
 */

/** One measured figure. `target` is an upper bound: the figure passes when `value <= target`. */
export interface Figure {
  label: string;
  value: number;
  unit: string;
  target?: number;
  /** Context printed next to the value (how it was obtained, counts behind a ratio). */
  detail?: string;
}

/** What a benchmark returns: its figures, for the summary table. */
export interface BenchResult {
  name: string;
  figures: Figure[];
}

/** A benchmark `bench/run.ts` knows: it prints its own tables and returns its figures. */
export interface Benchmark {
  name: string;
  run(): Promise<BenchResult>;
  /** How long it may run before bench/run.ts gives up on it (default 240 s). */
  limitMs?: number;
}

/** A figure within its target, over it, or without a target. */
export type Verdict = 'PASS' | 'MISS' | 'info';

/** PASS or MISS for a figure with a target (a figure that could not be measured, NaN, is a MISS); `info` otherwise. */
export function verdictOf(figure: Figure): Verdict {
  if (figure.target === undefined) return 'info';
  return figure.value <= figure.target ? 'PASS' : 'MISS';
}

/** A number for a table cell: integers as is, others with up to `digits` decimals. */
export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Prints rows as a Markdown table (readable in a terminal, pasteable into RESULTS.md). */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of cells) console.log(line(row));
}
