/**
 * The releaseProgress fan-out measurement: a fresh canary watched by many graphql-ws
 * subscribers (in a child process, so the server is measured, not the clients). Only events
 * committed after every subscriber is connected count; latency runs from `ReleaseEvent.at`
 * (taken just before the commit) to the frame's arrival at each subscriber.
 */
import { ChildScript } from '../support/child.ts';
import { profilePhase } from '../support/profile.ts';
import type { AnyBenchGantry } from '../support/gantry.ts';
import { distribution, sleep, waitFor, type Distribution } from '../support/stats.ts';
import type { FromProgress, ToProgress } from './progress-subscribers.ts';

export interface FanoutResult {
  latency: Distribution;
  delivered: number;
  expected: number;
  completed: number;
  /** Per live event: sequence, type, and ms after its commit of the first, median and last arrival. */
  events: { sequence: number; type: string; first: number; median: number; last: number }[];
  /** CPU over the live phase: the server process (Gantry, its embedded cluster, the bench driver) and the subscribers' process. */
  cpu: { wallMs: number; serverMs: number; subscribersMs: number };
}

/** Users with a token each, members (VIEWER) of the project: the subscribers of a many-viewers run. */
export async function benchViewers(g: Pick<AnyBenchGantry, 'gql'>, projectId: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const login = `viewer${i}`;
    await g.gql('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { login } });
    const { createApiToken } = await g.gql<any>('mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }', { i: { name: 'bench', login } });
    await g.gql('mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }', { i: { projectId, login, role: 'VIEWER' } });
    tokens.push(createApiToken.token);
  }
  return tokens;
}

const releaseStatus = async (g: Pick<AnyBenchGantry, 'gql'>, id: string) => (await g.gql<any>('query($id: ID!) { release(id: $id) { status } }', { id })).release.status as string;

/**
 * Creates a canary on `environmentId` (gate at 20%, then 40/60/80/100 without gates), connects
 * `subscribers` subscribers, subscriber i with `tokens[i % tokens.length]`, promotes the gate and
 * measures every live event at every subscriber.
 */
export async function measureFanout(
  g: Pick<AnyBenchGantry, 'gql' | 'wsUrl'>,
  environmentId: string,
  tokens: string[],
  subscribers: number,
  profileName: string,
  /** Runs once every subscriber is connected, before the live phase (e.g. to read the server's memory). */
  onConnected?: () => Promise<void>,
): Promise<FanoutResult> {
  const { createRelease } = await g.gql<any>(
    'mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/app:3", steps: [{ weight: 20, untilPromoted: true }, { weight: 40 }, { weight: 60 }, { weight: 80 }, { weight: 100 }] }) { id } }',
    { e: environmentId },
  );
  const releaseId: string = createRelease.id;
  const child = new ChildScript<ToProgress, FromProgress>(new URL('./progress-subscribers.ts', import.meta.url));
  try {
    child.send({ type: 'start', url: g.wsUrl, tokens, releaseId, subscribers });
    // 1,000 subscribers connect in well under a minute; 5,000 on a loaded 2-core machine took longer than 2.
    const connected = await child.next('connected', Math.max(120_000, subscribers * 60));
    if (connected.failures) throw new Error(`${connected.failures} subscribers could not connect`);
    await onConnected?.();
    // The release waits at its first gate until every subscriber is there: what came before were replays.
    await waitFor(async () => (await releaseStatus(g, releaseId)) === 'PAUSED', 60_000, 200);
    await sleep(500);
    const liveFrom = Date.now();
    child.send({ type: 'mark' });
    const serverCpu = process.cpuUsage();
    const started = performance.now();
    await profilePhase(profileName, async () => {
      await g.gql('mutation($id: ID!) { promoteRelease(id: $id) { id } }', { id: releaseId });
      await waitFor(async () => (await releaseStatus(g, releaseId)) === 'SUCCEEDED', 60_000, 200);
      await sleep(1000);
    });
    const report = await child.request({ type: 'report' }, 'report', 30_000);
    const used = process.cpuUsage(serverCpu);
    const cpu = { wallMs: performance.now() - started, serverMs: (used.user + used.system) / 1000, subscribersMs: report.cpuMs };
    if (report.errors.length) console.log('subscriber errors:', report.errors);
    const log = (await g.gql<any>('query($id: ID!) { release(id: $id) { events(first: 100) { nodes { sequence type at } } } }', { id: releaseId })).release.events.nodes as { sequence: number; type: string; at: string }[];
    const live = log.filter((e) => Date.parse(e.at) >= liveFrom);
    const committedAt = new Map(live.map((e) => [e.sequence, Date.parse(e.at)]));
    const latencies: number[] = [];
    const bySequence = new Map<number, number[]>();
    for (let k = 0; k < report.arrivals.length; k += 3) {
      const sequence = report.arrivals[k + 1]!;
      const at = committedAt.get(sequence);
      if (at === undefined) continue;
      const latency = report.arrivals[k + 2]! - at;
      latencies.push(latency);
      (bySequence.get(sequence) ?? bySequence.set(sequence, []).get(sequence)!).push(latency);
    }
    const events = live.map((e) => {
      const d = distribution(bySequence.get(e.sequence) ?? []);
      return { sequence: e.sequence, type: e.type, first: d.min, median: d.p50, last: d.max };
    });
    return { latency: distribution(latencies), delivered: latencies.length, expected: live.length * subscribers, completed: report.completed, events, cpu };
  } finally {
    child.send({ type: 'close' });
    await child.stop();
  }
}
