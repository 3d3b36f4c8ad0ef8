/**
 * The clusters benchmark (issue: "1,000 pods changing at 50 updates/s and 100 subscribers"):
 * write→frame latency of `podEvents` and `workloadChanged`, heap per cached pod, and LIST calls
 * per injected watch drop, all against a started Gantry with its embedded Kubernetes API server.
 */
import { loadavg } from 'node:os';
import { formatNumber, printTable, type Benchmark, type BenchResult, type Figure } from './support/benchmark.ts';
import { ChildScript } from './support/child.ts';
import { startBenchGantry, type BenchGantry } from './support/gantry.ts';
import { distribution } from './support/stats.ts';
import { deployFleet } from './cluster-watch/fleet.ts';
import { measureLatency, type LatencyReport } from './cluster-watch/latency.ts';
import type { FromMemory, MemorySample } from './cluster-watch/memory.ts';
import { measureDrops, type DropReport } from './cluster-watch/relists.ts';
import { QUIET_POD_TIMINGS } from './cluster-watch/timings.ts';

const ENVIRONMENTS = 10;
const PODS_PER_ENVIRONMENT = 100;
const SUBSCRIBERS = 100;
const WRITES_PER_SECOND = 50;
const POD_EVENTS_MS = 20_000;
const WORKLOAD_CHANGED_MS = 10_000;
const DROPS = 10;
const DROPS_BUDGET_MS = 35_000;
/**
 * The embedded cluster, which shares the server's process and event loop: simulated time 50×
 * faster, so pods are Ready ~60 ms after creation; and none of the simulator's chores a real API
 * server does elsewhere: no snapshot file (a JSON dump of the whole store every 500 ms while
 * writes go on), no request-log ticker, no Event pruning (each pruned Event costs the simulated
 * garbage collector a scan of every namespaced object).
 */
const CLUSTER = { timeScale: 0.02, persist: false, podTimings: QUIET_POD_TIMINGS, maxEvents: 100_000 };

const KB = 1024;
const P99_TARGET_MS = 100;
const BYTES_PER_POD_TARGET_KB = 15;

/** The `cluster-watch` benchmark, as `bench/run.ts` lists it. */
export const clusterWatch: Benchmark = { name: 'cluster-watch', run };

async function run(): Promise<BenchResult> {
  const phases: [string, number, number][] = [];
  let mark = Date.now();
  const phase = (name: string) => {
    phases.push([name, Date.now() - mark, loadavg()[0]!]);
    console.log(`  done: ${name} (${formatNumber((Date.now() - mark) / 1000)} s)`);
    mark = Date.now();
  };
  let seq = 0;
  const nextSeq = () => ++seq;

  // The heap measurement needs its own process (--expose-gc, no server in the heap) but no quiet
  // CPU, so it runs while the server starts; the latency runs wait for it to finish.
  const memoryChild = new ChildScript<object, FromMemory>(new URL('./cluster-watch/memory.ts', import.meta.url), { execArgv: ['--expose-gc'] });
  const memoryResult = memoryChild.next('result', 110_000);
  memoryResult.catch(() => {});
  let g: BenchGantry | null = null;
  try {
    g = await startBenchGantry(CLUSTER);
    const fleet = await deployFleet(g, ENVIRONMENTS, PODS_PER_ENVIRONMENT);
    phase(`start Gantry, deploy ${ENVIRONMENTS} × ${PODS_PER_ENVIRONMENT} pods, wait Ready`);
    const memory = await memoryResult;
    await memoryChild.stop();
    if (memory.error) throw new Error(`memory child failed: ${memory.error}`);
    phase(`heap per cached pod (child process, ${memory.samples.map((m) => m.pods).join(' and ')} pods; started with the server)`);

    const common = { subscribers: SUBSCRIBERS, writesPerSecond: WRITES_PER_SECOND };
    const podEvents = await measureLatency(g, fleet, { ...common, operation: 'podEvents', durationMs: POD_EVENTS_MS }, nextSeq);
    phase(`podEvents latency (${POD_EVENTS_MS / 1000} s of writes)`);
    const workloads = await measureLatency(g, fleet, { ...common, operation: 'workloadChanged', durationMs: WORKLOAD_CHANGED_MS }, nextSeq);
    phase(`workloadChanged latency (${WORKLOAD_CHANGED_MS / 1000} s of writes)`);
    const drops = await measureDrops(g, fleet, DROPS, DROPS_BUDGET_MS, nextSeq);
    phase(`watch drops (budget ${DROPS_BUDGET_MS / 1000} s)`);

    printLatency([podEvents, workloads]);
    printMemory(memory.samples);
    printDrops(drops);
    console.log('\nPhases:');
    printTable(['phase', 'seconds', 'load average (1 min) at its end'], phases.map(([name, ms, load]) => [name, ms / 1000, load]));
    return { name: 'cluster-watch', figures: [...latencyFigures(podEvents), ...latencyFigures(workloads), ...memoryFigures(memory.samples), ...dropFigures(drops)] };
  } finally {
    await memoryChild.stop(0);
    await g?.close();
  }
}

function printLatency(reports: LatencyReport[]): void {
  console.log(`\nWrite → WebSocket frame, ${SUBSCRIBERS} subscribers over ${ENVIRONMENTS} environments × ${PODS_PER_ENVIRONMENT} pods, ${WRITES_PER_SECOND} writes/s:`);
  const row = (label: string, value: (r: LatencyReport) => string | number) => [label, ...reports.map(value)];
  printTable(
    ['', ...reports.map((r) => r.operation)],
    [
      row('writes (achieved rate/s)', (r) => `${r.writes} (${formatNumber(r.achievedRate)})`),
      row('driver lag behind schedule, max ms', (r) => r.maxDriverLagMs),
      row('(subscriber, write) pairs expected', (r) => r.expected),
      row('pairs received', (r) => r.received),
      row('frames received', (r) => r.frames),
      row('frames showing no new write', (r) => r.unstampedFrames),
      row('frame size, bytes', (r) => r.frameBytes),
      row('latency p50, ms', (r) => r.latency.p50),
      row('latency p95, ms', (r) => r.latency.p95),
      row('latency p99, ms', (r) => r.latency.p99),
      row('latency max, ms', (r) => r.latency.max),
      row('latency min, ms', (r) => r.latency.min),
      row('server process CPU, % of a core', (r) => r.serverCpuPercent),
      row('subscribers process CPU, % of a core', (r) => r.clientCpuPercent),
      row('server CPU per write, ms', (r) => r.serverCpuMsPerWrite),
      row('server event-loop delay p99, ms', (r) => r.eventLoopDelayP99Ms),
      row('server event-loop delay max, ms', (r) => r.eventLoopDelayMaxMs),
      row('SQL statements/s (access re-checks)', (r) => r.dbQueriesPerSecond),
      row('errors', (r) => (r.errors.length ? r.errors.join('; ') : 'none')),
    ],
  );
}

function latencyFigures(r: LatencyReport): Figure[] {
  const name = r.operation;
  return [
    { label: `${name} write→frame p50`, value: r.latency.p50, unit: 'ms', detail: `p95 ${formatNumber(r.latency.p95)}, max ${formatNumber(r.latency.max)}` },
    { label: `${name} write→frame p99`, value: r.latency.p99, unit: 'ms', target: P99_TARGET_MS, detail: `${r.received} of ${r.expected} (subscriber, write) pairs` },
    { label: `${name} writes lost`, value: r.expected - r.received, unit: 'pairs', target: 0, detail: `${r.frames} frames for ${r.expected} expected pairs, ${r.errors.length} errors` },
  ];
}

/** Per-pod cost between two samples: the cache's fixed cost cancels out. */
function marginal(samples: MemorySample[]): number {
  const [small, large] = [samples[0]!, samples.at(-1)!];
  return (large.cacheBytes - small.cacheBytes) / (large.pods - small.pods);
}

function printMemory(samples: MemorySample[]): void {
  console.log('\nHeap of the pods watch cache (heapUsed after full GCs, before and after the cache synced; KB = 1,024 bytes):');
  printTable(
    ['cached pods', 'cache heap, KB', 'per pod, bytes', 'raw JSON per pod, bytes', 'whole parsed pod, bytes', 'cache / raw JSON', 'cache / whole object'],
    [
      ...samples.map((s) => {
        const perPod = s.cacheBytes / s.pods;
        return [s.pods, s.cacheBytes / KB, perPod, s.jsonBytesPerPod, s.wholeObjectBytes, perPod / s.jsonBytesPerPod, perPod / s.wholeObjectBytes];
      }),
      [`marginal ${samples[0]?.pods}→${samples.at(-1)?.pods}`, '', marginal(samples), '', '', '', ''],
    ],
  );
}

function memoryFigures(samples: MemorySample[]): Figure[] {
  return [
    ...samples.map((s) => ({
      label: `heap per cached pod (${formatNumber(s.pods)} pods)`,
      value: s.cacheBytes / s.pods / KB,
      unit: 'KB',
      target: BYTES_PER_POD_TARGET_KB,
      detail: `raw JSON pod ${formatNumber(s.jsonBytesPerPod / KB)} KB, ratio ${formatNumber(s.cacheBytes / s.pods / s.jsonBytesPerPod, 2)}`,
    })),
    { label: 'heap per cached pod, marginal', value: marginal(samples) / KB, unit: 'KB', detail: 'fixed cost of the cache excluded' },
  ];
}

function printDrops(d: DropReport): void {
  console.log('\nInjected watch drops (faults.dropWatches(), 10 pods stamped before and 10 while down); counters from GET /metrics:');
  const inside = distribution(d.resumeMs);
  printTable(
    ['case', 'drops', 'watches closed per drop', 'LIST calls per drop', 'watch connects per drop', 'resume p50, ms', 'resume max, ms'],
    [
      ['inside retained history', `${d.completed} of ${d.requested}`, d.watchesPerDrop, d.relists / d.completed, d.connects / d.completed, inside.p50, inside.max],
      d.control
        ? ['history compacted first (control)', 1, '', d.control.relists, d.control.connects, d.control.resumeMs, d.control.resumeMs]
        : ['history compacted first (control)', 'did not resume', '', '', '', '', ''],
    ],
  );
  console.log(`Resume time of each drop, in order (ms): ${d.resumeMs.join(', ')}`);
}

function dropFigures(d: DropReport): Figure[] {
  return [
    { label: 'LIST calls per drop inside history', value: d.relists / d.completed, unit: 'LIST/drop', target: 0, detail: `${d.relists} over ${d.completed} of ${d.requested} drops` },
    { label: 'watch connects per drop', value: d.connects / d.completed, unit: 'connects/drop', detail: `${d.watchesPerDrop} watches closed per drop` },
    { label: 'LIST calls per drop, history compacted (control)', value: d.control?.relists ?? NaN, unit: 'LIST/drop', detail: 'one per watched kind is correct here' },
    { label: 'resume after a drop, max', value: Math.max(...d.resumeMs), unit: 'ms', detail: `in order: ${d.resumeMs.join(', ')}` },
  ];
}
