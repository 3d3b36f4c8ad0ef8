import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cluster.ts';
import { aUser, addMember } from '../support/fixtures.ts';
import { aReleaseEnvironment, aSucceededRelease, FAST_RELEASES, type ReleaseEnv } from '../support/releases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const LINES = `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Environment {
  logs(first: $first, after: $after) { edges { cursor node { cursor message } } } } } }`;
const BATCHES = `subscription($id: ID!, $filter: LogFilter, $after: String, $maxLines: Int, $maxDelayMs: Int) {
  logTailBatches(environmentId: $id, filter: $filter, after: $after, maxLines: $maxLines, maxDelayMs: $maxDelayMs) { cursor lines { cursor source message } } }`;

interface Batch {
  cursor: string;
  lines: { cursor: string; source: string; message: string }[];
}

describe('pod logs: the batched live tail (logTailBatches)', () => {
  let t: TestServer;
  let env: ReleaseEnv;

  const page = async (variables: Record<string, unknown>) =>
    (await t.ok(LINES, { id: env.id, ...variables })).node.logs.edges as { cursor: string; node: { cursor: string; message: string } }[];

  /** Subscribes until `enough` says so; the batches received by then. */
  const batches = (variables: Record<string, unknown>, enough: (got: Batch[]) => boolean, token?: string) =>
    new Promise<Batch[]>((resolve, reject) => {
      const got: Batch[] = [];
      const stop = t.ws(token).subscribe<{ logTailBatches: Batch }>({ query: BATCHES, variables: { id: env.id, ...variables } }, {
        next: ({ data, errors }) => {
          if (errors) return reject(new Error(JSON.stringify(errors)));
          if (enough(got)) return; // already in flight when we unsubscribed
          got.push(data!.logTailBatches);
          if (enough(got)) {
            stop();
            resolve(got);
          }
        },
        error: reject,
        complete: () => resolve(got),
      });
    });
  const linesOf = (got: Batch[]) => got.flatMap((b) => b.lines);

  beforeAll(async () => {
    t = await startTestServer({ env: { ...FAST_RELEASES.env, GANTRY_LOG_FLUSH_MS: '50' }, start: FAST_RELEASES.start });
    env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2 });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0-errors' });
    await eventually(async () => (await page({ first: 40 })).length === 40, 30_000, '40 lines stored');
  });
  afterAll(() => t.close());

  it('should send lines in batches of at most maxLines and resume after a batch cursor without gaps or repeats', async () => {
    const history = await page({ first: 30 });
    const from = history[29]!; // resume 30 lines back: the first 29 come from the store
    const first = await batches({ after: from.cursor, maxLines: 10 }, (got) => linesOf(got).length >= 60);
    expect(first.every((b) => b.lines.length >= 1 && b.lines.length <= 10)).toBe(true);
    // Unfiltered, a batch's cursor is its last line's.
    expect(first.every((b) => b.cursor === b.lines.at(-1)!.cursor)).toBe(true);
    const received = linesOf(first);
    expect(received.slice(0, 29).map((l) => l.message)).toEqual(history.slice(0, 29).reverse().map((e) => e.node.message));
    expect(new Set(received.map((l) => l.cursor)).size).toBe(received.length);

    // Resuming after the last batch goes on with the very next stored line.
    const resumed = linesOf(await batches({ after: first.at(-1)!.cursor, maxLines: 10 }, (got) => got.length >= 1));
    const olderThanResumed = await page({ first: 1, after: resumed[0]!.cursor });
    expect(olderThanResumed[0]!.node.cursor).toBe(received.at(-1)!.cursor);
  });

  it('should send only the lines the filter selects, with a cursor past the lines it examined', async () => {
    const got = await batches({ filter: { contains: 'status=5' }, maxDelayMs: 300 }, (all) => linesOf(all).length >= 3);
    expect(linesOf(got).every((l) => l.message.includes('status=5'))).toBe(true);
    // Resuming after a batch never sends one of its lines again.
    const seen = new Set(linesOf(got).map((l) => l.cursor));
    const next = await batches({ filter: { contains: 'status=5' }, after: got.at(-1)!.cursor }, (all) => all.length >= 1);
    expect(linesOf(next).some((l) => seen.has(l.cursor))).toBe(false);
  });

  it('should refuse maxLines and maxDelayMs out of range with BAD_USER_INPUT naming them', async () => {
    for (const [variables, field] of [
      [{ maxLines: 0 }, 'maxLines'],
      [{ maxLines: 5_001 }, 'maxLines'],
      [{ maxDelayMs: -1 }, 'maxDelayMs'],
      [{ maxDelayMs: 10_001 }, 'maxDelayMs'],
    ] as const) {
      const error = await batches(variables, () => false).then(
        () => null,
        (e: unknown) => e,
      );
      const errors = (Array.isArray(error) ? error : JSON.parse((error as Error).message)) as { extensions: { code: string; field: string } }[];
      expect(errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('should end the batched tail of a member who is removed from the project with NOT_FOUND', async () => {
    const viewer = await aUser(t);
    await addMember(t, env.projectId, viewer.login, 'VIEWER');
    let count = 0;
    const ended = new Promise<unknown>((resolve) => {
      t.ws(viewer.token).subscribe({ query: BATCHES, variables: { id: env.id } }, {
        next: ({ errors }) => {
          if (errors) resolve(errors[0]);
          count++;
        },
        error: (error) => resolve(error),
        complete: () => resolve(null),
      });
    });
    await eventually(() => count > 0, 20_000, 'a batch for the viewer');
    await t.ok(`mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }`, { p: env.projectId, l: viewer.login });
    expect(JSON.stringify(await ended)).toContain('NOT_FOUND');
  });
});
