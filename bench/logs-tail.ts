/**
 * The live-tail benchmark (issue 10), `npm run bench -- logs-tail`: one Gantry on PostgreSQL with
 * its in-process embedded cluster, one environment of 100 pods each writing 50 lines/s (access
 * lines, some stack traces: a little more), and 100 subscribers over graphql-ws in a child process
 * (off the server's event loop), first with `logTailBatches` (the target's subscription: one
 * message per stored batch), then with `logTail` (one message per line), 20 s each:
 * - latency: the kubelet timestamp of each line (when the pod wrote it) → its arrival at a
 *   subscriber; p99 over every line at every subscriber. Target ≤ 200 ms, judged on the batched
 *   subscription. It includes the collector's flush (100 ms), the store, the NOTIFY and the feed.
 * - memory: heap of the server process before the environment, with its 100 pods followed, and
 *   with each kind's 100 subscribers: per followed pod and per subscriber (heap deltas, after a
 *   GC when node runs with --expose-gc, otherwise noisy).
 * BENCH_TAIL=batches or lines runs one kind only.
 */
import { createPostgresDatabase } from '../test/support/database.ts';
import { BENCH_ADMIN_TOKEN, startBenchGantry } from './support/gantry.ts';
import { ChildScript } from './support/child.ts';
import { profilePhase } from './support/profile.ts';
import { formatNumber, printTable, type Benchmark, type BenchResult } from './support/benchmark.ts';
import { sleep, waitFor } from './support/stats.ts';
import type { FromTail, TailMode, ToTail } from './logs-tail/subscribers.ts';

const PODS = 100;
const SUBSCRIBERS = 100;
const MEASURE_MS = 20_000;

export function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Nearest-rank percentile of a sparse 1 ms histogram ((bucket, count) pairs, ascending). */
function percentileOf(buckets: number[], total: number, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < buckets.length; i += 2) {
    seen += buckets[i + 1]!;
    if (seen >= rank) return buckets[i]!;
  }
  return NaN;
}

export interface TailFigures {
  mode: TailMode;
  lines: number;
  messages: number;
  p50: number;
  p95: number;
  p99: number;
  heapPerSubscriberKiB: number;
  errors: string[];
  /** CPU per second of measuring: this (the server's) process and the subscribers' child, in ms. */
  serverCpuMs: number;
  clientCpuMs: number;
}

/**
 * 100 subscribers of one kind in a child process: 20 s of latencies, and the server's heap per
 * subscriber (this process must be the server's). `id` is the environment's, or the build's.
 * `during` runs while measuring (a writer).
 */
export async function followLogs(url: string, id: string, mode: TailMode, heapBefore: number, during?: (ms: number) => Promise<void>): Promise<TailFigures> {
  const child = new ChildScript<ToTail, FromTail>(new URL('./logs-tail/subscribers.ts', import.meta.url));
  try {
    const connected = await child.request({ type: 'start', url, token: BENCH_ADMIN_TOKEN, id, subscribers: SUBSCRIBERS, mode }, 'connected', 60_000);
    if (connected.subscribers !== SUBSCRIBERS) throw new Error(`${connected.failures} of ${SUBSCRIBERS} subscribers were refused`);
    await sleep(mode === 'build' ? 1_000 : 5_000); // every subscriber live, the server at its steady state
    const heapPerSubscriberKiB = ((heapMb() - heapBefore) * 1024) / SUBSCRIBERS;
    child.send({ type: 'measure' });
    const cpuBefore = process.cpuUsage();
    await profilePhase(`logs-tail-${mode}`, () => (during ? during(MEASURE_MS) : sleep(MEASURE_MS)));
    const report = await child.request({ type: 'report' }, 'report', 60_000);
    const cpu = process.cpuUsage(cpuBefore);
    let total = 0;
    for (let i = 1; i < report.buckets.length; i += 2) total += report.buckets[i]!;
    const at = (p: number) => percentileOf(report.buckets, total, p);
    return { mode, lines: total, messages: report.messages, p50: at(50), p95: at(95), p99: at(99), heapPerSubscriberKiB, errors: report.errors, serverCpuMs: (cpu.user + cpu.system) / 1000 / (MEASURE_MS / 1000), clientCpuMs: report.cpuMs / (MEASURE_MS / 1000) };
  } finally {
    child.send({ type: 'close' });
    await child.stop(10_000);
  }
}

async function measure(): Promise<BenchResult> {
  const database = await createPostgresDatabase();
  // 10 requests every 200 ms: 50 lines/s per pod.
  const gantry = await startBenchGantry({ timeScale: 1, podTimings: { logIntervalMs: 200, logRequestsPerInterval: 10, scheduleMs: 50, startMs: 100, readyMs: 100 } }, { databaseUrl: database.url });
  try {
    const { createProject } = await gantry.gql<any>('mutation { createProject(input: { slug: "tail", name: "Tail" }) { id } }');
    const { createApp } = await gantry.gql<any>('mutation($p: ID!) { createApp(input: { projectId: $p, name: "shop", language: GO }) { id } }', { p: createProject.id });
    const heapBefore = heapMb();
    const { createEnvironment } = await gantry.gql<any>('mutation($a: ID!) { createEnvironment(input: { appId: $a, name: "prod", replicas: 100 }) { id } }', { a: createApp.id });
    const envId: string = createEnvironment.id;
    const { createRelease } = await gantry.gql<any>('mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/shop:1.0" }) { id } }', { e: envId });
    const done = await waitFor(async () => (await gantry.gql<any>('query($id: ID!) { release(id: $id) { status } }', { id: createRelease.id })).release.status === 'SUCCEEDED', 120_000, 500);
    if (!done) throw new Error('the 100-pod release did not succeed within 120 s');
    await sleep(5_000); // every pod followed, buffers at their steady state
    const heapPods = heapMb();
    const perPod = ((heapPods - heapBefore) * 1024) / PODS;

    const modes = (process.env.BENCH_TAIL === 'lines' ? ['lines'] : process.env.BENCH_TAIL === 'batches' ? ['batches'] : ['batches', 'lines']) as TailMode[];
    const results: TailFigures[] = [];
    for (const mode of modes) {
      results.push(await followLogs(gantry.wsUrl, envId, mode, heapMb()));
      await sleep(3_000); // the closed subscriptions gone before the next kind
    }
    const seconds = MEASURE_MS / 1000;
    const name = (mode: TailMode) => (mode === 'batches' ? 'logTailBatches' : 'logTail');
    printTable(
      ['figure', ...results.map((r) => name(r.mode))],
      [
        ['lines delivered (all subscribers)', ...results.map((r) => `${formatNumber(r.lines)} in ${seconds} s (${formatNumber(r.lines / seconds / SUBSCRIBERS)}/s per subscriber of ${PODS * 50}/s written)`)],
        ['messages', ...results.map((r) => `${formatNumber(r.messages)} (${formatNumber(r.lines / Math.max(1, r.messages), 1)} lines each)`)],
        ['pod write → subscriber', ...results.map((r) => `p50 ${formatNumber(r.p50)} ms, p95 ${formatNumber(r.p95)} ms, p99 ${formatNumber(r.p99)} ms`)],
        ['CPU per second: server process / subscribers process', ...results.map((r) => `${formatNumber(r.serverCpuMs)} / ${formatNumber(r.clientCpuMs)} ms`)],
        ['heap per tail subscriber (server)', ...results.map((r) => `${formatNumber(r.heapPerSubscriberKiB)} KiB`)],
        ['subscriber errors', ...results.map((r) => r.errors.join('; ') || 'none')],
      ],
    );
    printTable(['figure', 'value'], [['heap: before / 100 pods followed', `${formatNumber(heapBefore)} / ${formatNumber(heapPods)} MiB${(globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: noisy)'}`], ['per followed pod', `${formatNumber(perPod)} KiB`]]);
    return {
      name: 'logs-tail',
      figures: [
        ...results.map((r) => ({
          label: `pod write → ${name(r.mode)} p99 (${PODS} pods × 50 lines/s, ${SUBSCRIBERS} subscribers)`,
          value: r.p99,
          unit: 'ms',
          ...(r.mode === 'batches' ? { target: 200 } : {}),
          detail: `${formatNumber(r.lines)} lines in ${formatNumber(r.messages)} messages`,
        })),
        { label: 'heap per followed pod', value: perPod, unit: 'KiB' },
        ...results.map((r) => ({ label: `heap per ${name(r.mode)} subscriber`, value: r.heapPerSubscriberKiB, unit: 'KiB' })),
      ],
    };
  } finally {
    await gantry.close();
    await database.drop();
  }
}

export const logsTail: Benchmark = { name: 'logs-tail', run: measure, limitMs: 300_000 };
