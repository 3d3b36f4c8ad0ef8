/**
 * The config benchmark:
 * - `updateConfig` → `configChanged` frame: 1,000 graphql-ws subscribers (in a child process, one
 *   connection each, with a read-only token as a config-center client would have) on one
 *   environment; latency from sending the mutation to the frame's arrival at each subscriber;
 * - a release that changes only the config (same image, a new revision) against one that changes
 *   only the image: createRelease sent → release SUCCEEDED, alternated, same environment, same
 *   canary steps. A config release also writes the revision's ConfigMap and Secret first.
 * The embedded cluster runs in its own process, as in the releases bench. PostgreSQL when
 * 127.0.0.1:5432 (or TEST_DATABASE_URL) answers, else PGlite.
 */
import { createPostgresDatabase } from '../test/support/database.ts';
import type { FromConfig, ToConfig } from './config/subscribers.ts';
import type { Benchmark, BenchResult } from './support/benchmark.ts';
import { formatNumber, printTable } from './support/benchmark.ts';
import { ChildScript } from './support/child.ts';
import { startBenchGantry, type AnyBenchGantry } from './support/gantry.ts';
import { profilePhase } from './support/profile.ts';
import { distribution, epochMs, sleep, waitFor, type Distribution } from './support/stats.ts';

const SUBSCRIBERS = 1000;
const UPDATES = 20;
/** Releases of each kind, alternated. */
const RELEASES = 5;
const STEPS = [{ weight: 50 }, { weight: 100 }];

const UPDATE = 'mutation($i: UpdateConfigInput!) { updateConfig(input: $i) { number } }';

async function fanout(g: AnyBenchGantry, environmentId: string): Promise<{ latency: Distribution; delivered: number; expected: number; errors: string[] }> {
  const { createApiToken } = await g.gql<any>('mutation { createApiToken(input: { name: "config-center", scopes: [READ] }) { token } }');
  const child = new ChildScript<ToConfig, FromConfig>(new URL('./config/subscribers.ts', import.meta.url));
  try {
    child.send({ type: 'start', url: g.wsUrl, token: createApiToken.token, environmentId, subscribers: SUBSCRIBERS });
    const connected = await child.next('connected', 120_000);
    if (connected.failures) throw new Error(`${connected.failures} subscribers could not connect`);
    // A warm-up revision that every subscriber must receive: then all of them are listening.
    const { updateConfig: warm } = await g.gql<any>(UPDATE, { i: { environmentId, set: [{ name: 'WARM', value: 'up' }] } });
    const everyone = await waitFor(async () => {
      const { arrivals } = await child.request({ type: 'report' }, 'report', 30_000);
      let n = 0;
      for (let k = 1; k < arrivals.length; k += 3) if (arrivals[k] === warm.number) n++;
      return n >= SUBSCRIBERS;
    }, 60_000, 500);
    if (!everyone) throw new Error('not every subscriber received the warm-up revision');
    const sentAt = new Map<number, number>();
    await profilePhase('config-fanout', async () => {
      for (let i = 0; i < UPDATES; i++) {
        const started = epochMs();
        const { updateConfig } = await g.gql<any>(UPDATE, { i: { environmentId, set: [{ name: 'LEVEL', value: String(i) }] } });
        sentAt.set(updateConfig.number, started);
        await sleep(300);
      }
      await sleep(1000);
    });
    const report = await child.request({ type: 'report' }, 'report', 30_000);
    const latencies: number[] = [];
    for (let k = 0; k < report.arrivals.length; k += 3) {
      const sent = sentAt.get(report.arrivals[k + 1]!);
      if (sent !== undefined) latencies.push(report.arrivals[k + 2]! - sent);
    }
    return { latency: distribution(latencies), delivered: latencies.length, expected: UPDATES * SUBSCRIBERS, errors: report.errors };
  } finally {
    child.send({ type: 'close' });
    await child.stop();
  }
}

/** createRelease sent → SUCCEEDED, in ms. */
async function timeRelease(g: AnyBenchGantry, environmentId: string, image: string): Promise<number> {
  const started = epochMs();
  const { createRelease } = await g.gql<any>('mutation($i: CreateReleaseInput!) { createRelease(input: $i) { id } }', {
    i: { environmentId, image, strategy: 'CANARY', steps: STEPS },
  });
  let finished = NaN;
  const done = await waitFor(async () => {
    const { release } = await g.gql<any>('query($id: ID!) { release(id: $id) { status } }', { id: createRelease.id });
    if (release.status === 'SUCCEEDED') finished = epochMs();
    else if (['FAILED', 'ABORTED', 'SUPERSEDED'].includes(release.status)) throw new Error(`release ${release.status}`);
    return release.status === 'SUCCEEDED';
  }, 120_000, 25);
  if (!done) throw new Error('release did not succeed within 120 s');
  return finished - started;
}

async function releases(g: AnyBenchGantry, environmentId: string): Promise<{ image: Distribution; config: Distribution }> {
  const image: number[] = [];
  const config: number[] = [];
  let tag = 1;
  await timeRelease(g, environmentId, `registry.local/app:${tag}`);
  for (let i = 0; i < RELEASES; i++) {
    image.push(await timeRelease(g, environmentId, `registry.local/app:${++tag}`));
    await g.gql(UPDATE, { i: { environmentId, set: [{ name: 'RELEASE', value: String(i) }], files: [{ path: 'app/settings.yaml', content: `release: ${i}\n` }] } });
    await g.gql('mutation($i: SetSecretInput!) { setSecret(input: $i) { name } }', { i: { environmentId, name: 'API_KEY', value: `key-${i}` } });
    config.push(await timeRelease(g, environmentId, `registry.local/app:${tag}`));
  }
  return { image: distribution(image), config: distribution(config) };
}

async function run(): Promise<BenchResult> {
  let database: { url: string; drop(): Promise<void> } | null = null;
  try {
    database = await createPostgresDatabase();
  } catch (error) {
    console.log(`PostgreSQL not reachable (${(error as Error).message}): PGlite`);
  }
  const g = await startBenchGantry({ timeScale: 0.02 }, { databaseUrl: database?.url, clusterProcess: true });
  try {
    const { createProject } = await g.gql<any>('mutation { createProject(input: { slug: "bench-config", name: "Bench" }) { id } }');
    const { createApp } = await g.gql<any>('mutation($p: ID!) { createApp(input: { projectId: $p, name: "app", language: GO }) { id } }', { p: createProject.id });
    const env = async (name: string) => (await g.gql<any>('mutation($a: ID!, $n: String!) { createEnvironment(input: { appId: $a, name: $n, replicas: 2 }) { id } }', { a: createApp.id, n: name })).createEnvironment.id as string;
    const feed = await fanout(g, await env('feed'));
    const timed = await releases(g, await env('prod'));

    printTable(
      ['measure (ms)', 'samples', 'p50', 'p95', 'p99', 'max'],
      [
        [`updateConfig sent → configChanged frame, ${SUBSCRIBERS} subscribers`, feed.latency.count, feed.latency.p50, feed.latency.p95, feed.latency.p99, feed.latency.max],
        ['image-only release: createRelease → SUCCEEDED', timed.image.count, timed.image.p50, timed.image.p95, timed.image.p99, timed.image.max],
        ['config-only release: createRelease → SUCCEEDED', timed.config.count, timed.config.p50, timed.config.p95, timed.config.p99, timed.config.max],
      ],
    );
    console.log(`${formatNumber(feed.delivered)} of ${formatNumber(feed.expected)} (subscriber, revision) pairs delivered`);
    if (feed.errors.length) console.log('subscriber errors:', feed.errors);
    const ratio = timed.config.p50 / timed.image.p50;
    return {
      name: 'config',
      figures: [
        { label: `updateConfig → configChanged p99, ${SUBSCRIBERS} subscribers`, value: feed.latency.p99, unit: 'ms', target: 100, detail: `p50 ${formatNumber(feed.latency.p50)} ms` },
        { label: 'configChanged pairs lost', value: feed.expected - feed.delivered, unit: 'pairs', target: 0, detail: `${feed.delivered}/${feed.expected}` },
        {
          label: 'config-only / image-only release, time to 100% (medians)',
          value: ratio,
          unit: '×',
          target: 1.2,
          detail: `${formatNumber(timed.config.p50)} ms vs ${formatNumber(timed.image.p50)} ms, ${RELEASES} each, steps 50/100, time scale 0.02`,
        },
      ],
    };
  } finally {
    await g.close();
    await database?.drop();
  }
}

export const config: Benchmark = { name: 'config', run };
