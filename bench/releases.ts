/**
 * The releases benchmark: how fast commands reach the cluster, and how fast the event log
 * reaches many subscribers.
 * - promote → weight applied: promoteRelease sent → the VirtualService in the embedded API
 *   server shows the next step's weight (seen from its store, in process);
 * - abort → 100% stable: abortRelease sent → the VirtualService shows canary weight 0;
 * - releaseProgress: 1,000 graphql-ws subscribers on one release (in a child process); latency
 *   from an event's commit time (`ReleaseEvent.at`) to its arrival at each subscriber.
 */
import { ChildScript } from './support/child.ts';
import type { Benchmark, BenchResult, Figure } from './support/benchmark.ts';
import { formatNumber, printTable } from './support/benchmark.ts';
import { BENCH_ADMIN_TOKEN, startBenchGantry, type BenchGantry } from './support/gantry.ts';
import { distribution, epochMs, sleep, waitFor, type Distribution } from './support/stats.ts';
import type { FromProgress, ToProgress } from './releases/progress-subscribers.ts';

const ENVIRONMENTS = 12;
const SUBSCRIBERS = 1000;

/** Canary weight of the app's VirtualService as the API server stores it now. */
function canaryWeightIn(object: any): number | null {
  const route: any[] | undefined = object?.spec?.http?.[0]?.route;
  if (!route) return null;
  return route.find((r) => r.destination?.subset === 'canary')?.weight ?? 0;
}

/** Resolves with the epoch ms at which the app's VirtualService first shows `weight`. */
function whenWeight(g: BenchGantry, namespace: string, app: string, weight: number, timeoutMs = 15_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (stop(), reject(new Error(`weight ${weight} not applied to ${namespace}/${app} in time`))), timeoutMs);
    const stop = g.embedded.store.subscribe((event) => {
      const o = event.object as any;
      if (o.kind !== 'VirtualService' || o.metadata?.namespace !== namespace || o.metadata?.name !== app) return;
      if (canaryWeightIn(o) === weight) {
        const at = epochMs();
        clearTimeout(timer);
        stop();
        resolve(at);
      }
    });
  });
}

interface Env {
  id: string;
  namespace: string;
  releaseId: string;
}

/** Environments with a stable version and a second release paused at its first gate (10%). */
async function prepare(g: BenchGantry, count: number): Promise<Env[]> {
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
  return envs;
}

function row(label: string, d: Distribution): (string | number)[] {
  return [label, d.count, d.p50, d.p95, d.p99, d.max];
}

async function run(): Promise<BenchResult> {
  const g = await startBenchGantry({ timeScale: 0.02 });
  try {
    const envs = await prepare(g, ENVIRONMENTS);
    const appOf = (i: number) => `app${i}`;
    const promote: number[] = [];
    const abort: number[] = [];
    // Half the environments: promote 10 → 50 → (promote) 100; the other half: abort at 10%.
    const half = Math.floor(envs.length / 2);
    for (let i = 0; i < half; i++) {
      const env = envs[i]!;
      for (const weight of [50, 100]) {
        const applied = whenWeight(g, env.namespace, appOf(i), weight);
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
      const applied = whenWeight(g, env.namespace, appOf(i), 0);
      const started = epochMs();
      await g.gql('mutation($id: ID!) { abortRelease(id: $id, reason: "bench") { id } }', { id: env.releaseId });
      abort.push((await applied) - started);
    }

    // releaseProgress fan-out: a fresh canary on the first environment, watched by 1,000 subscribers.
    await sleep(200);
    const target = envs[0]!;
    const { createRelease } = await g.gql<any>('mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/app:3", steps: [{ weight: 20, untilPromoted: true }, { weight: 40 }, { weight: 60 }, { weight: 80 }, { weight: 100 }] }) { id } }', { e: target.id });
    const child = new ChildScript<ToProgress, FromProgress>(new URL('./releases/progress-subscribers.ts', import.meta.url));
    let fanout: Distribution;
    let delivered = 0;
    let expected = 0;
    let completed = 0;
    try {
      child.send({ type: 'start', url: g.wsUrl, token: BENCH_ADMIN_TOKEN, releaseId: createRelease.id, subscribers: SUBSCRIBERS });
      const connected = await child.next('connected', 60_000);
      if (connected.failures) throw new Error(`${connected.failures} subscribers could not connect`);
      // Only live events count: those committed after every subscriber is connected (the ones
      // before were replays). The release waits at its first gate until then.
      await waitFor(async () => (await g.gql<any>('query($id: ID!) { release(id: $id) { status } }', { id: createRelease.id })).release.status === 'PAUSED', 60_000, 50);
      await sleep(500);
      const liveFrom = Date.now();
      await g.gql('mutation($id: ID!) { promoteRelease(id: $id) { id } }', { id: createRelease.id });
      await waitFor(async () => (await g.gql<any>('query($id: ID!) { release(id: $id) { status } }', { id: createRelease.id })).release.status === 'SUCCEEDED', 60_000, 50);
      await sleep(1000);
      const report = await child.request({ type: 'report' }, 'report', 30_000);
      const log = (await g.gql<any>('query($id: ID!) { release(id: $id) { events(first: 100) { nodes { sequence at } } } }', { id: createRelease.id })).release.events.nodes as { sequence: number; at: string }[];
      const live = log.filter((e) => Date.parse(e.at) >= liveFrom);
      const committedAt = new Map(live.map((e) => [e.sequence, Date.parse(e.at)]));
      const latencies: number[] = [];
      for (let k = 0; k < report.arrivals.length; k += 3) {
        const at = committedAt.get(report.arrivals[k + 1]!);
        if (at !== undefined) latencies.push(report.arrivals[k + 2]! - at);
      }
      fanout = distribution(latencies);
      delivered = latencies.length;
      expected = live.length * SUBSCRIBERS;
      completed = report.completed;
      if (report.errors.length) console.log('subscriber errors:', report.errors);
    } finally {
      child.send({ type: 'close' });
      await child.stop();
    }

    const p = distribution(promote);
    const a = distribution(abort);
    printTable(['measure (ms)', 'samples', 'p50', 'p95', 'p99', 'max'], [
      row('promoteRelease → next weight in the VirtualService', p),
      row('abortRelease → canary weight 0 in the VirtualService', a),
      row(`event commit → frame at each of ${SUBSCRIBERS} releaseProgress subscribers`, fanout),
    ]);
    console.log(`\nreleaseProgress: ${formatNumber(delivered)} of ${formatNumber(expected)} (subscriber, event) pairs delivered; ${completed} of ${SUBSCRIBERS} subscriptions completed after the final event`);
    const figures: Figure[] = [
      { label: 'promote → weight applied p99', value: p.p99, unit: 'ms', target: 1000, detail: `${p.count} promotions, p50 ${formatNumber(p.p50)} ms` },
      { label: 'abort → 100% stable p99', value: a.p99, unit: 'ms', target: 1000, detail: `${a.count} aborts, p50 ${formatNumber(a.p50)} ms` },
      { label: 'releaseProgress event → client p99', value: fanout.p99, unit: 'ms', target: 100, detail: `${SUBSCRIBERS} subscribers, p50 ${formatNumber(fanout.p50)} ms` },
      { label: 'releaseProgress pairs lost', value: expected - delivered, unit: 'pairs', target: 0, detail: `${delivered}/${expected}` },
    ];
    return { name: 'releases', figures };
  } finally {
    await g.close();
  }
}

export const releases: Benchmark = { name: 'releases', run };
