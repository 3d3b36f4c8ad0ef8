/**
 * `npm run bench [-- name…]`: runs the benchmarks it knows (all, or those named), each printing
 * its own tables, then one summary with the target and PASS/MISS per figure. A MISS is reported,
 * not thrown: the exit code is 0 unless a benchmark could not run at all.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { clusterWatch } from './cluster-watch.ts';
import { fanout } from './fanout.ts';
import { http } from './http.ts';
import { logs } from './logs.ts';
import { logsTail } from './logs-tail.ts';
import { logsBuildFanout } from './logs-build-fanout.ts';
import { metrics } from './metrics.ts';
import { releases } from './releases.ts';
import { builds } from './builds.ts';
import { config } from './config.ts';
import { joint } from './joint.ts';
import { formatNumber, printTable, verdictOf, type Benchmark, type BenchResult } from './support/benchmark.ts';

const BENCHMARKS: Benchmark[] = [clusterWatch, releases, http, fanout, logs, logsTail, logsBuildFanout, builds, config, metrics, joint];

/** A benchmark still running after this is stuck (each takes under 2 minutes on an idle 2-core machine): give up. */
const HARD_LIMIT_MS = 240_000;

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  const cpu = cpus();
  console.log(`${new Date().toISOString()}  node ${process.version}  ${cpu.length} cores (${cpu[0]?.model.trim()})  ${Math.round(totalmem() / 2 ** 30)} GiB  ${process.platform}/${process.arch}  ${load()}`);

  const results: BenchResult[] = [];
  const failures: string[] = [];
  const started = Date.now();
  for (const benchmark of selected) {
    console.log(`\n## ${benchmark.name}`);
    const t = Date.now();
    const limitMs = benchmark.limitMs ?? HARD_LIMIT_MS;
    const watchdog = setTimeout(() => {
      console.error(`bench: ${benchmark.name} still running after ${limitMs / 1000} s; giving up`);
      process.exit(1);
    }, limitMs);
    try {
      results.push(await benchmark.run());
    } catch (error) {
      failures.push(benchmark.name);
      console.error(`${benchmark.name} failed:`, error);
    } finally {
      clearTimeout(watchdog);
    }
    console.log(`\n${benchmark.name}: ${formatNumber((Date.now() - t) / 1000)} s`);
  }

  console.log('\n## Summary');
  printTable(
    ['benchmark', 'figure', 'value', 'target', 'verdict', 'detail'],
    [
      ...results.flatMap((r) =>
        r.figures.map((f) => [r.name, f.label, `${formatNumber(f.value, 2)} ${f.unit}`, f.target === undefined ? '' : `≤ ${formatNumber(f.target)} ${f.unit}`, verdictOf(f), f.detail ?? '']),
      ),
      ...failures.map((name) => [name, '(did not run to completion)', '', '', 'ERROR', 'see the error above']),
    ],
  );
  console.log(`\nTotal: ${formatNumber((Date.now() - started) / 1000)} s  ${load()}`);
  return failures.length ? 1 : 0;
}

/** Other work on the machine skews latency: the load average goes next to every result. */
const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;

// Exit explicitly: a benchmark that failed half-way may leave sockets or timers behind.
main().then((code) => process.exit(code));
