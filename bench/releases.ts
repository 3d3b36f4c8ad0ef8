/**
 * The releases benchmark: how fast commands reach the cluster, and how fast the event log
 * reaches many subscribers.
 * - promote → weight applied: promoteRelease sent → a watch on the cluster's API server shows
 *   the VirtualService with the next step's weight;
 * - abort → 100% stable: abortRelease sent → the VirtualService shows canary weight 0;
 * The embedded cluster runs in its own process here (`npm run cluster`), as a real one would.
 * - releaseProgress: 1,000 graphql-ws subscribers on one release (in a child process); latency
 *   from an event's commit time (`ReleaseEvent.at`) to its arrival at each subscriber; once with
 *   one token for all (events execute once per cohort), once spread over 250 users.
 * Each runs on PGlite and, when 127.0.0.1:5432 (or TEST_DATABASE_URL) answers, on a fresh
 * PostgreSQL database, side by side.
 */
import { createPostgresDatabase } from '../test/support/database.ts';
import { benchViewers, measureFanout, type FanoutResult } from './releases/fanout.ts';
import { RouterWatch } from './releases/router-watch.ts';
import type { Benchmark, BenchResult, Figure } from './support/benchmark.ts';
import { formatNumber, printTable } from './support/benchmark.ts';
import { BENCH_ADMIN_TOKEN, startBenchGantry, type AnyBenchGantry } from './support/gantry.ts';
import { distribution, epochMs, sleep, waitFor, type Distribution } from './support/stats.ts';

const ENVIRONMENTS = 12;
const SUBSCRIBERS = 1000;
/** Users of the many-viewers fan-out: each has 1000 / 250 = 4 subscriptions open (browser tabs). */
const VIEWERS = 250;

interface Env {
  id: string;
  namespace: string;
  releaseId: string;
}

/** Environments with a stable version and a second release paused at its first gate (10%). */
async function prepare(g: AnyBenchGantry, count: number): Promise<{ projectId: string; envs: Env[] }> {
  const { createProject } = await g.gql<any>('mutation { createProject(input: { slug: "bench-rel", name: "Bench" }) { id } }');
  const envs: Env[] = [];
  for (let i = 0; i < count; i++) {
    const { createApp } = await g.gql<any>('mutation($p: ID!, $n: String!) { createApp(input: { projectId: $p, name: $n, language: GO }) { id } }', { p: createProject.id, n: `app${i}` });
    const { createEnvironment } = await g.gql<any>('mutation($a: ID!) { createEnvironment(input: { appId: $a, name: "prod", replicas: 2, protected: true, namespace: "bench" }) { id namespace } }', { a: createApp.id });
    envs.push({ id: createEnvironment.id, namespace: createEnvironment.namespace, releaseId: '' });
  }
  const create = (env: Env, image: string) =>
    g.gql<any>('mutation($e: ID!, $i: String!) { createRelease(input: { environmentId: $e, image: $i }) { id } }', { e: env.id, i: image });
  const status = async (id: string) => (await g.gql<any>('query($id: ID!) { release(id: $id) { status currentStepIndex appliedWeight } }', { id })).release;
  for (const env of envs) env.releaseId = (await create(env, 'registry.local/app:1')).createRelease.id;
  await waitFor(async () => (await Promise.all(envs.map((e) => status(e.releaseId)))).every((r) => r.status === 'SUCCEEDED'), 60_000, 100);
  for (const env of envs) env.releaseId = (await create(env, 'registry.local/app:2')).createRelease.id;
  const ready = await waitFor(async () => (await Promise.all(envs.map((e) => status(e.releaseId)))).every((r) => r.status === 'PAUSED' && r.appliedWeight === 10), 60_000, 100);
  if (!ready) throw new Error('canaries did not reach their first gate');
  return { projectId: createProject.id, envs };
}

function row(label: string, d: Distribution): (string | number)[] {
  return [label, d.count, d.p50, d.p95, d.p99, d.max];
}

interface Backend {
  name: 'PGlite' | 'PostgreSQL';
  databaseUrl?: string;
  drop?: () => Promise<void>;
}

/** PGlite (the embedded default) always; PostgreSQL, as production runs, when the server answers. */
async function backends(): Promise<Backend[]> {
  const list: Backend[] = [{ name: 'PGlite' }];
  try {
    const database = await createPostgresDatabase();
    list.push({ name: 'PostgreSQL', databaseUrl: database.url, drop: database.drop });
  } catch (error) {
    console.log(`PostgreSQL not reachable (${(error as Error).message}): PGlite only`);
  }
  return list;
}

interface Measured {
  backend: string;
  promote: Distribution;
  abort: Distribution;
  fanouts: { population: string; result: FanoutResult }[];
}

async function measureOn(backend: Backend): Promise<Measured> {
  const g = await startBenchGantry({ timeScale: 0.02 }, { databaseUrl: backend.databaseUrl, clusterProcess: true });
  let routers: RouterWatch | undefined;
  try {
    const { projectId, envs } = await prepare(g, ENVIRONMENTS);
    routers = await RouterWatch.open(g.api, envs[0]!.namespace);
    const appOf = (i: number) => `app${i}`;
    const promote: number[] = [];
    const abort: number[] = [];
    // Half the environments: promote 10 → 50 → (promote) 100; the other half: abort at 10%.
    const half = Math.floor(envs.length / 2);
    for (let i = 0; i < half; i++) {
      const env = envs[i]!;
      for (const weight of [50, 100]) {
        const applied = routers.when(appOf(i), weight);
        const started = epochMs();
        await g.gql('mutation($id: ID!) { promoteRelease(id: $id) { id } }', { id: env.releaseId });
        promote.push((await applied) - started);
        if (weight === 50) {
          await waitFor(async () => (await g.gql<any>('query($id: ID!) { release(id: $id) { status appliedWeight } }', { id: env.releaseId })).release.status === 'PAUSED', 20_000, 20);
        }
      }
    }
    for (let i = half; i < envs.length; i++) {
      const env = envs[i]!;
      const applied = routers.when(appOf(i), 0);
      const started = epochMs();
      await g.gql('mutation($id: ID!) { abortRelease(id: $id, reason: "bench") { id } }', { id: env.releaseId });
      abort.push((await applied) - started);
    }

    // releaseProgress fan-out on two environments that finished above: first every subscriber
    // with one token (a release bot's dashboards), then the same number spread over many users.
    await sleep(200);
    const tag = backend.name.toLowerCase();
    const fanouts = [{ population: `${SUBSCRIBERS} subscribers, 1 token`, result: await measureFanout(g, envs[0]!.id, [BENCH_ADMIN_TOKEN], SUBSCRIBERS, `releases-fanout-${tag}-1-token`) }];
    const viewers = await benchViewers(g, projectId, VIEWERS);
    fanouts.push({ population: `${SUBSCRIBERS} subscribers, ${VIEWERS} users`, result: await measureFanout(g, envs[1]!.id, viewers, SUBSCRIBERS, `releases-fanout-${tag}-${VIEWERS}-users`) });
    return { backend: backend.name, promote: distribution(promote), abort: distribution(abort), fanouts };
  } finally {
    routers?.close();
    await g.close();
    await backend.drop?.();
  }
}

async function run(): Promise<BenchResult> {
  const measured: Measured[] = [];
  for (const backend of await backends()) measured.push(await measureOn(backend));

  const rows: (string | number)[][] = [];
  for (const m of measured) {
    rows.push(row(`${m.backend}: promoteRelease → next weight in the VirtualService`, m.promote));
    rows.push(row(`${m.backend}: abortRelease → canary weight 0 in the VirtualService`, m.abort));
    for (const f of m.fanouts) rows.push(row(`${m.backend}: event commit → frame, ${f.population}`, f.result.latency));
  }
  printTable(['measure (ms)', 'samples', 'p50', 'p95', 'p99', 'max'], rows);

  console.log('\nEach live event: ms after its commit until the first, median and last subscriber had it');
  printTable(
    ['database', 'subscribers', 'sequence', 'type', 'first', 'median', 'last'],
    measured.flatMap((m) => m.fanouts.flatMap((f) => f.result.events.map((e) => [m.backend, f.population, e.sequence, e.type, e.first, e.median, e.last]))),
  );
  for (const m of measured) {
    for (const f of m.fanouts) {
      const r = f.result;
      console.log(`${m.backend}, ${f.population}: ${formatNumber(r.delivered)} of ${formatNumber(r.expected)} (subscriber, event) pairs delivered; ${r.completed} of ${SUBSCRIBERS} subscriptions completed after the final event`);
      console.log(`  live phase ${formatNumber(r.cpu.wallMs / 1000, 2)} s: server process CPU ${formatNumber(r.cpu.serverMs)} ms, subscribers' process CPU ${formatNumber(r.cpu.subscribersMs)} ms`);
    }
  }

  const figures: Figure[] = measured.flatMap((m) => [
    { label: `${m.backend}: promote → weight applied p99`, value: m.promote.p99, unit: 'ms', target: 1000, detail: `${m.promote.count} promotions, p50 ${formatNumber(m.promote.p50)} ms` },
    { label: `${m.backend}: abort → 100% stable p99`, value: m.abort.p99, unit: 'ms', target: 1000, detail: `${m.abort.count} aborts, p50 ${formatNumber(m.abort.p50)} ms` },
    ...m.fanouts.flatMap((f): Figure[] => [
      { label: `${m.backend}: releaseProgress event → client p99, ${f.population}`, value: f.result.latency.p99, unit: 'ms', target: 100, detail: `p50 ${formatNumber(f.result.latency.p50)} ms` },
      { label: `${m.backend}: releaseProgress pairs lost, ${f.population}`, value: f.result.expected - f.result.delivered, unit: 'pairs', target: 0, detail: `${f.result.delivered}/${f.result.expected}, ${f.result.completed} completed` },
    ]),
  ]);
  return { name: 'releases', figures };
}

export const releases: Benchmark = { name: 'releases', run };
