/**
 * The fan-out benchmark: thousands of live subscribers on one Gantry, beside a bare `ws` server
 * measured in the same run (issue: "one build per change for thousands of subscribers, and
 * memory per subscription near a bare WebSocket").
 * - 5,000 `workloadChanged` subscriptions, one per graphql-ws connection, from a client process
 *   on the other core: server RSS per subscription, as read and after a full collection (through
 *   the inspector, in Gantry and the bare server alike: the first reading moves with how far V8
 *   had grown its young generation when it was taken, the second is what the process holds); one scale of the Deployment through the
 *   cluster's API → arrival of the new `desiredReplicas` at every subscriber; how many times
 *   Gantry built the workload for that one change (gantry_workload_builds_total);
 * - the same number of raw `ws` connections to a bare ws server: RSS per connection and a
 *   broadcast of a frame of the same size;
 * - 5,000 `releaseProgress` subscribers over 250 users on one canary: RSS per subscription and
 *   event → arrival latency (bench/releases/fanout.ts).
 * Gantry runs as operators run it (NODE_ENV=production, from dist/ when built) on PostgreSQL,
 * with the embedded cluster in its own process, as a real cluster would be.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createPostgresDatabase } from '../test/support/database.ts';
import { startClusterProcess } from '../test/support/processes.ts';
import type { FromClients, ToClients } from './fanout/clients.ts';
import { benchViewers, measureFanout } from './releases/fanout.ts';
import type { Benchmark, BenchResult } from './support/benchmark.ts';
import { formatNumber, printTable } from './support/benchmark.ts';
import { ChildScript } from './support/child.ts';
import { BENCH_ADMIN_TOKEN } from './support/gantry.ts';
import { hasTaskset, LOAD_CPU, Server, startGantryProcess } from './support/server-process.ts';
import { distribution, epochMs, sleep, waitFor, type Distribution } from './support/stats.ts';

const SUBSCRIBERS = Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 5000);
const VIEWERS = 250;

type Clients = ChildScript<ToClients, FromClients>;

function startClients(): Clients {
  const clients = new ChildScript<ToClients, FromClients>(new URL('./fanout/clients.ts', import.meta.url));
  if (hasTaskset() && clients.pid) spawnSync('taskset', ['-acp', String(LOAD_CPU), String(clients.pid)], { stdio: 'ignore' });
  return clients;
}

/** A server's RSS growth per connection: as read (`raw`) and after a full collection (`retained`). */
interface Growth {
  raw: number;
  retained: number;
}

/** Both readings of a server's RSS now (see {@link Growth}). */
async function readRss(server: Server): Promise<Growth> {
  const raw = server.rssBytes();
  return { raw, retained: await server.retainedRssBytes() };
}

const perEach = (before: Growth, after: Growth, count: number): Growth => ({ raw: (after.raw - before.raw) / count, retained: (after.retained - before.retained) / count });

/**
 * Connects `count` clients and waits for memory to settle. @returns `retained()`, the server's
 * RSS growth per connection, to be called once the latency is measured: its full collection
 * shrinks V8's young generation, which would slow the fan-out measured right after it.
 */
async function connect(clients: Clients, server: Server, start: ToClients & { type: 'start' }): Promise<{ retained: () => Promise<Growth> }> {
  await sleep(1000);
  const before = await readRss(server);
  const connected = await clients.request(start, 'connected', 300_000);
  if (connected.failures) throw new Error(`${connected.failures} of ${start.count} connections failed (first: ${connected.firstError})`);
  await sleep(3000);
  const raw = server.rssBytes();
  return { retained: async () => perEach(before, { raw, retained: await server.retainedRssBytes() }, start.count) };
}

/** Waits until every client saw the expected value (or 15 s passed); latencies from `sentAt`. */
async function arrivals(clients: Clients, sentAt: number): Promise<{ latency: Distribution; missing: number }> {
  let report = await clients.request({ type: 'report' }, 'report', 30_000);
  await waitFor(async () => {
    report = await clients.request({ type: 'report' }, 'report', 30_000);
    return report.arrivals.every((at) => at >= 0);
  }, 15_000, 250);
  const seen = report.arrivals.filter((at) => at >= 0);
  return { latency: distribution(seen.map((at) => at - sentAt)), missing: report.arrivals.length - seen.length };
}

async function metric(origins: string[], name: string): Promise<number> {
  for (const origin of origins) {
    const res = await fetch(`${origin}/metrics`).catch(() => null);
    if (!res?.ok) continue;
    const lines = (await res.text()).split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    if (lines.length) return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  }
  return NaN;
}

async function measure(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-bench-fanout-'));
  const database = await createPostgresDatabase();
  const cluster = await startClusterProcess(join(dir, 'cluster'), 0.02);
  const kube = parse(readFileSync(cluster.kubeconfig, 'utf8'));
  const api = { server: kube.clusters[0].cluster.server as string, token: kube.users[0].user.token as string };
  const servers: Server[] = [];
  try {
    // With its inspector, so memory is read after a full collection as well as as it stands.
    const started = await startGantryProcess(dir, database.url, cluster.kubeconfig, BENCH_ADMIN_TOKEN, { GANTRY_LOG_LEVEL: 'warn' }, { inspect: true });
    const gantry = started.server;
    const entry = { label: started.entry };
    servers.push(gantry);
    const origins = started.metricsOrigins;
    const wsUrl = `${gantry.origin.replace(/^http/, 'ws')}/graphql`;
    const gql = async <T = any,>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const res = await fetch(`${gantry.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_TOKEN}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: T; errors?: unknown };
      if (!body.data || body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    const { createProject } = await gql(`mutation { createProject(input: { slug: "bench-fan", name: "Fan-out" }) { id } }`);
    // A protected environment releases as CANARY by default: what releaseProgress follows.
    const environment = async (name: string, isProtected: boolean) => {
      const { createApp } = await gql(`mutation($p: ID!, $n: String!) { createApp(input: { projectId: $p, name: $n, language: GO }) { id } }`, { p: createProject.id, n: name });
      const { createEnvironment } = await gql(`mutation($a: ID!, $p: Boolean!) { createEnvironment(input: { appId: $a, name: "prod", replicas: 1, protected: $p }) { id namespace } }`, { a: createApp.id, p: isProtected });
      const { createRelease } = await gql(`mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/fan:1" }) { id } }`, { e: createEnvironment.id });
      const done = await waitFor(async () => (await gql(`query($id: ID!) { release(id: $id) { status } }`, { id: createRelease.id })).release.status === 'SUCCEEDED', 60_000, 200);
      if (!done) throw new Error('the first release did not succeed');
      return { id: createEnvironment.id as string, namespace: createEnvironment.namespace as string, deployment: `${name}-r1` };
    };
    const watched = await environment('watched', false);
    const progressEnv = await environment('progress', true);

    // workloadChanged: 5,000 connections with one subscription each.
    const rows: (string | number)[][] = [];
    let clients = startClients();
    const workloadMemory = await connect(clients, gantry, { type: 'start', mode: 'graphql', url: wsUrl, tokens: [BENCH_ADMIN_TOKEN], environmentId: watched.id, count: SUBSCRIBERS });
    const buildsBefore = await metric(origins, 'gantry_workload_builds_total');
    clients.send({ type: 'expect', replicas: 3 });
    await sleep(200);
    const scaledAt = epochMs();
    const scaled = await fetch(`${api.server}/apis/apps/v1/namespaces/${watched.namespace}/deployments/${watched.deployment}/scale`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { replicas: 3 } }),
    });
    if (!scaled.ok) throw new Error(`scale failed: ${scaled.status} ${await scaled.text()}`);
    const workload = await arrivals(clients, scaledAt);
    // Builds for that change: the scale itself and the pods it starts are several changes; count them all, per subscriber.
    const builds = (await metric(origins, 'gantry_workload_builds_total')) - buildsBefore;
    const perSubscription = await workloadMemory.retained();
    clients.send({ type: 'close' });
    await clients.stop();
    rows.push(['Gantry workloadChanged', SUBSCRIBERS, perSubscription.retained / 1024, perSubscription.raw / 1024, workload.latency.min, workload.latency.p50, workload.latency.p99, workload.latency.max, workload.missing]);
    // Printed now: a later phase that fails must not take these figures with it.
    console.log(`workloadChanged: ${formatNumber(perSubscription.retained / 1024)} KB RSS per subscription after a collection (${formatNumber(perSubscription.raw / 1024)} KB as read); scale → frame p50 ${formatNumber(workload.latency.p50)} ms, p99 ${formatNumber(workload.latency.p99)} ms, ${workload.missing} missing; ${formatNumber(builds)} workload builds`);

    // releaseProgress: 5,000 subscribers over 250 users.
    const tokens = await benchViewers({ gql }, createProject.id, VIEWERS);
    let progressRss: Growth = { raw: NaN, retained: NaN };
    const rssBeforeProgress = await readRss(gantry);
    const progress = await measureFanout({ gql, wsUrl }, progressEnv.id, tokens, SUBSCRIBERS, 'fanout-progress', async () => {
      await sleep(2000);
      progressRss = perEach(rssBeforeProgress, await readRss(gantry), SUBSCRIBERS);
    });
    rows.push(['Gantry releaseProgress (250 users)', SUBSCRIBERS, progressRss.retained / 1024, progressRss.raw / 1024, progress.latency.min, progress.latency.p50, progress.latency.p99, progress.latency.max, progress.expected - progress.delivered]);
    await gantry.stop();

    // The baseline: a bare ws server, the same number of connections, one broadcast of a frame as large as Gantry's.
    const bare = await Server.start('bare ws', ['--import', 'tsx', 'bench/fanout/bare-ws.ts'], {}, '/', join(dir, 'bare.log'), { inspect: true });
    servers.push(bare);
    clients = startClients();
    const bareMemory = await connect(clients, bare, { type: 'start', mode: 'raw', url: bare.origin.replace(/^http/, 'ws'), count: SUBSCRIBERS });
    clients.send({ type: 'expect', replicas: 3 });
    await sleep(200);
    const sentAt = epochMs();
    await fetch(`${bare.origin}/broadcast`, { method: 'POST', body: JSON.stringify({ replicas: 3, padding: 'x'.repeat(400) }) });
    const broadcast = await arrivals(clients, sentAt);
    const perConnection = await bareMemory.retained();
    clients.send({ type: 'close' });
    await clients.stop();
    rows.push(['bare ws broadcast', SUBSCRIBERS, perConnection.retained / 1024, perConnection.raw / 1024, broadcast.latency.min, broadcast.latency.p50, broadcast.latency.p99, broadcast.latency.max, broadcast.missing]);

    console.log(`Gantry: ${entry.label}; servers pinned to one core, clients on the other; PostgreSQL; cluster in its own process\n`);
    printTable(['system', 'connections', 'RSS KB each, collected', 'as read', 'first ms', 'p50 ms', 'p99 ms', 'last ms', 'missing'], rows);
    console.log(`\nworkload builds during the scale and the pods it started: ${formatNumber(builds)} (for ${SUBSCRIBERS} subscribers)`);
    return {
      name: 'fanout',
      figures: [
        { label: 'workloadChanged: scale → frame p99', value: workload.latency.p99, unit: 'ms', target: 250, detail: `${SUBSCRIBERS} subscribers; bare ws broadcast p99 ${formatNumber(broadcast.latency.p99)} ms` },
        {
          label: 'workloadChanged: RSS per subscription, after a full collection',
          value: perSubscription.retained / 1024,
          unit: 'KB',
          target: 12,
          detail: `bare ws ${formatNumber(perConnection.retained / 1024)} KB; as read without collecting ${formatNumber(perSubscription.raw / 1024)} vs ${formatNumber(perConnection.raw / 1024)} KB`,
        },
        { label: 'workload builds for one scale (all its changes)', value: builds, unit: 'builds', detail: 'one per change, whatever the number of subscribers' },
        { label: 'releaseProgress (250 users): event → frame p99', value: progress.latency.p99, unit: 'ms', target: 250, detail: `${progress.delivered} of ${progress.expected} frames` },
        { label: 'releaseProgress: RSS per subscription, after a full collection', value: progressRss.retained / 1024, unit: 'KB', target: 12, detail: `as read without collecting ${formatNumber(progressRss.raw / 1024)} KB` },
      ],
    };
  } finally {
    for (const server of servers) await server.stop();
    await cluster.process.kill('SIGTERM');
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Connecting 10,000 clients and a canary's whole run take a few minutes on two cores.
export const fanout: Benchmark = { name: 'fanout', run: measure, limitMs: 600_000 };
