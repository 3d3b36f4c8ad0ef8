/**
 * The live-tail benchmark (issue 10), `npm run bench -- logs-tail`: one Gantry on PostgreSQL with
 * its in-process embedded cluster, one environment of 100 pods each writing 50 lines/s (access
 * lines, some stack traces: a little more), and 100 `logTail` subscribers over graphql-ws.
 * - latency: the kubelet timestamp of each line (when the pod wrote it) → its arrival at a
 *   subscriber; p99 over every line at every subscriber for 20 s. Target ≤ 200 ms. It includes
 *   the collector's flush (100 ms), the store, the NOTIFY and the feed.
 * - memory: heap of the process before the environment, with its 100 pods followed, and with the
 *   100 subscribers: per followed pod and per subscriber (heap deltas, after a GC when node runs
 *   with --expose-gc, otherwise noisy).
 * The subscribers run in the same process as the server (their parsing shares its event loop, so
 * the latency is pessimistic), and so does the simulated cluster.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createPostgresDatabase } from '../test/support/database.ts';
import { BENCH_ADMIN_TOKEN, startBenchGantry } from './support/gantry.ts';
import { formatNumber, printTable, type Benchmark, type BenchResult } from './support/benchmark.ts';
import { distribution, sleep, waitFor } from './support/stats.ts';

const PODS = 100;
const SUBSCRIBERS = 100;
const MEASURE_MS = 20_000;
const TAIL = `subscription($id: ID!) { logTail(environmentId: $id) { at source } }`;

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function measure(): Promise<BenchResult> {
  const database = await createPostgresDatabase();
  // 10 requests every 200 ms: 50 lines/s per pod.
  const gantry = await startBenchGantry({ timeScale: 1, podTimings: { logIntervalMs: 200, logRequestsPerInterval: 10, scheduleMs: 50, startMs: 100, readyMs: 100 } }, { databaseUrl: database.url });
  const clients: Client[] = [];
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

    const latencies: number[] = [];
    let measuring = false;
    let received = 0;
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = createClient({ url: gantry.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` }, retryAttempts: 0, lazy: false });
      clients.push(client);
      client.subscribe<{ logTail: { at: string } }>({ query: TAIL, variables: { id: envId } }, {
        next: ({ data }) => {
          received++;
          if (measuring && data) latencies.push(Date.now() - Date.parse(data.logTail.at));
        },
        error: () => undefined,
        complete: () => undefined,
      });
    }
    await waitFor(() => received > SUBSCRIBERS * 100, 30_000, 100);
    await sleep(3_000);
    const heapSubscribers = heapMb();
    const receivedBefore = received;
    const t = Date.now();
    measuring = true;
    await sleep(MEASURE_MS);
    measuring = false;
    const rate = (received - receivedBefore) / ((Date.now() - t) / 1000);
    const d = distribution(latencies);
    const perPod = ((heapPods - heapBefore) * 1024) / PODS;
    const perSubscriber = ((heapSubscribers - heapPods) * 1024) / SUBSCRIBERS;
    printTable(
      ['figure', 'value'],
      [
        ['lines delivered', `${formatNumber(d.count)} in ${MEASURE_MS / 1000} s (${formatNumber(rate)} lines/s over ${SUBSCRIBERS} subscribers; ${formatNumber(rate / SUBSCRIBERS)} per subscriber)`],
        ['pod write → subscriber', `p50 ${formatNumber(d.p50)} ms, p95 ${formatNumber(d.p95)} ms, p99 ${formatNumber(d.p99)} ms, max ${formatNumber(d.max)} ms`],
        ['heap: before / 100 pods followed / 100 subscribers', `${formatNumber(heapBefore)} / ${formatNumber(heapPods)} / ${formatNumber(heapSubscribers)} MiB${(globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: noisy)'}`],
        ['per followed pod', `${formatNumber(perPod)} KiB`],
        ['per tail subscriber', `${formatNumber(perSubscriber)} KiB`],
      ],
    );
    return {
      name: 'logs-tail',
      figures: [
        { label: `pod write → logTail p99 (${PODS} pods × 50 lines/s, ${SUBSCRIBERS} subscribers)`, value: d.p99, unit: 'ms', target: 200, detail: `${formatNumber(d.count)} lines` },
        { label: 'heap per followed pod', value: perPod, unit: 'KiB' },
        { label: 'heap per tail subscriber', value: perSubscriber, unit: 'KiB' },
      ],
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await gantry.close();
    await database.drop();
  }
}

export const logsTail: Benchmark = { name: 'logs-tail', run: measure, limitMs: 300_000 };
