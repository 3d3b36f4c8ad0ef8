import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGlobalId } from '../../services/shared/ids.ts';
import { eventually } from '../support/cluster.ts';
import { aUser, addMember } from '../support/fixtures.ts';
import { aReleaseEnvironment, aSucceededRelease, createRelease, FAST_RELEASES, type ReleaseEnv } from '../support/releases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const LINES = `query($id: ID!, $filter: LogFilter, $first: Int, $after: String) { node(id: $id) { ... on Environment {
  logs(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { cursor at source version message } } } } } }`;
const TAIL = `subscription($id: ID!, $filter: LogFilter, $after: String) { logTail(environmentId: $id, filter: $filter, after: $after) { cursor at source version message } }`;

interface Line {
  cursor: string;
  at: string;
  source: string;
  version: string | null;
  message: string;
}

/** The request ids of access lines: unique per request, so a repeated one is a stored duplicate. */
const requestIds = (messages: string[]) => messages.flatMap((m) => /handled request id=(\w+)/.exec(m)?.[1] ?? []);

describe('pod logs: collection, history and live tail', () => {
  let t: TestServer;
  let env: ReleaseEnv;
  let canary: { id: string; version: string };

  const page = async (variables: Record<string, unknown>, token?: string) => {
    const data = await t.ok(LINES, { id: env.id, ...variables }, token);
    return data.node.logs as { totalCount: null; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null }; edges: { cursor: string; node: Line }[] };
  };
  const messages = (p: Awaited<ReturnType<typeof page>>) => p.edges.map((e) => e.node.message);

  beforeAll(async () => {
    t = await startTestServer({ env: { ...FAST_RELEASES.env, GANTRY_LOG_FLUSH_MS: '50' }, start: FAST_RELEASES.start });
    env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    // A canary of an image that fails a fifth of its requests, held at its first step.
    const release = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0-errors', canaryReplicas: 1 });
    canary = { id: release.id, version: release.version };
    await eventually(async () => (await page({ filter: { releaseId: canary.id }, first: 5 })).edges.length === 5, 30_000, 'canary lines stored');
  });
  afterAll(() => t.close());

  it('should store the lines of every pod and page them newest first with cursors, without overlap', async () => {
    const first = await eventually(async () => {
      const p = await page({ first: 50 });
      return new Set(p.edges.map((e) => e.node.source)).size >= 3 ? p : null;
    }, 20_000, 'lines of three pods');
    expect(first.totalCount).toBeNull();
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, endCursor: first.edges.at(-1)!.cursor });
    const versions = new Set(first.edges.map((e) => e.node.version));
    expect(versions).toEqual(new Set(['r1', canary.version]));
    const second = await page({ first: 50, after: first.pageInfo.endCursor });
    expect(second.pageInfo.hasPreviousPage).toBe(true);
    const firstCursors = new Set(first.edges.map((e) => e.cursor));
    expect(second.edges.some((e) => firstCursors.has(e.cursor))).toBe(false);
    // Newest first: times never increase down a page (lines of one batch may share a time).
    const times = [...first.edges, ...second.edges].map((e) => Date.parse(e.node.at));
    expect(times.filter((time, i) => i > 0 && time > times[i - 1]! + 5_000)).toEqual([]);
    expect(first.edges[0]!.node.message).toMatch(/^\d{4}-\d\d-\d\dT\S+Z (INFO|WARN|ERROR) shop |^\t/);
  });

  it('should filter stored lines by release, pods, substring, regular expression and time', async () => {
    const byRelease = await page({ filter: { releaseId: canary.id }, first: 100 });
    expect(byRelease.edges.every((e) => e.node.version === canary.version)).toBe(true);
    const pod = byRelease.edges[0]!.node.source;
    const byPod = await page({ filter: { pods: [pod] }, first: 100 });
    expect(byPod.edges.length).toBeGreaterThan(0);
    expect(byPod.edges.every((e) => e.node.source === pod)).toBe(true);
    const failed = await eventually(async () => {
      const p = await page({ filter: { releaseId: canary.id, contains: 'status=5' }, first: 3 });
      return p.edges.length > 0 ? p : null;
    }, 20_000, 'a 5xx of the errors image');
    expect(messages(failed).every((m) => m.includes('status=5'))).toBe(true);
    const regex = await page({ filter: { regex: 'status=5\\d\\d duration_ms=\\d+$' }, first: 20 });
    expect(regex.edges.length).toBeGreaterThan(0);
    expect(messages(regex).every((m) => /status=5\d\d duration_ms=\d+$/.test(m))).toBe(true);
    const literal = await page({ filter: { contains: 'status=5%' }, first: 5 });
    expect(literal.edges).toEqual([]);
    const newest = Date.parse(byPod.edges[0]!.node.at);
    const windowed = await page({ filter: { pods: [pod], since: new Date(newest - 200).toISOString(), until: new Date(newest + 1).toISOString() }, first: 100 });
    expect(windowed.edges.length).toBeGreaterThan(0);
    expect(windowed.edges.every((e) => Math.abs(Date.parse(e.node.at) - newest) <= 200)).toBe(true);
  });

  it('should refuse a bad regular expression, a page over 100, a foreign cursor and another environment\'s release with BAD_USER_INPUT', async () => {
    const refused = async (variables: Record<string, unknown>) => {
      const res = await t.gql(LINES, { id: env.id, ...variables });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      return res.errors![0]!;
    };
    expect((await refused({ filter: { regex: '(a)\\1' } })).extensions!.field).toBe('filter.regex');
    expect((await refused({ filter: { regex: '(?=lookahead)' } })).message).not.toContain('lookahead');
    expect((await refused({ first: 101 })).extensions!.field).toBe('first');
    expect((await refused({ after: 'bm90LWEtY3Vyc29y' })).extensions!.field).toBe('after');
    const other = await aReleaseEnvironment(t, 'other', { name: 'prod' });
    const otherRelease = await createRelease(t, { environmentId: other.id, image: 'registry.local/other:1.0' });
    expect((await refused({ filter: { releaseId: otherRelease.id } })).extensions!.field).toBe('filter.releaseId');
    // Linear-time matching: a pattern that backtracks exponentially elsewhere answers at once.
    const started = Date.now();
    await page({ filter: { regex: '(a+)+$' }, first: 5 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('should tail live lines of every pod and resume after a cursor from stored history without gaps or repeats', async () => {
    const history = await page({ first: 30 });
    const from = history.edges[29]!; // resume 30 lines back: the first 29 come from the store
    const client = t.ws();
    const received: Line[] = [];
    await new Promise<void>((resolve, reject) => {
      const stop = client.subscribe<{ logTail: Line }>({ query: TAIL, variables: { id: env.id, after: from.cursor } }, {
        next: ({ data, errors }) => {
          if (errors) return reject(new Error(JSON.stringify(errors)));
          if (received.length === 120) return; // lines already in flight when we unsubscribed
          received.push(data!.logTail);
          if (received.length === 120) {
            stop();
            resolve();
          }
        },
        error: reject,
        complete: () => {},
      });
    });
    const stored = history.edges.slice(0, 29).reverse().map((e) => e.node.message);
    expect(received.slice(0, 29).map((l) => l.message)).toEqual(stored);
    // The live part continues the stored log exactly: read it back, newest first, after the fact.
    const newestReceived = received.at(-1)!;
    const live = received.slice(29).map((l) => l.message);
    const olderThanLast = await page({ first: 100, after: newestReceived.cursor });
    expect(olderThanLast.edges.slice(0, live.length - 1).map((e) => e.node.message).reverse()).toEqual(live.slice(0, -1));
    expect(new Set(received.map((l) => l.cursor)).size).toBe(120);
    const ids = requestIds(received.map((l) => l.message));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(received.map((l) => l.source)).size).toBeGreaterThanOrEqual(2);
  });

  it('should tail only the lines the filter selects', async () => {
    const client = t.ws();
    const lines = await new Promise<Line[]>((resolve, reject) => {
      const got: Line[] = [];
      const stop = client.subscribe<{ logTail: Line }>({ query: TAIL, variables: { id: env.id, filter: { releaseId: canary.id, regex: 'status=\\d+' } } }, {
        next: ({ data }) => {
          if (got.length < 10) got.push(data!.logTail);
          if (got.length === 10) {
            stop();
            resolve(got);
          }
        },
        error: reject,
        complete: () => {},
      });
    });
    expect(lines.every((l) => l.version === canary.version && /status=\d+/.test(l.message))).toBe(true);
  });

  it('should end the tail of a member who is removed from the project with NOT_FOUND', async () => {
    const viewer = await aUser(t);
    await addMember(t, env.projectId, viewer.login, 'VIEWER');
    const client = t.ws(viewer.token);
    let count = 0;
    const ended = new Promise<any>((resolve) => {
      client.subscribe({ query: TAIL, variables: { id: env.id } }, {
        next: ({ errors }) => {
          if (errors) resolve(errors[0]);
          count++;
        },
        error: (error) => resolve(error),
        complete: () => resolve(null),
      });
    });
    await eventually(() => count > 0, 20_000, 'a line for the viewer');
    await t.ok(`mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }`, { p: env.projectId, l: viewer.login });
    const error = await ended;
    expect(JSON.stringify(error)).toContain('NOT_FOUND');
  });

  it('should neither lose nor repeat lines when the log streams drop or Gantry restarts', async () => {
    const embedded = t.server.embedded!;
    const before = await page({ first: 1 });
    expect(embedded.faults.dropLogStreams()).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 1_500));
    await t.restart();
    await eventually(async () => (await page({ first: 1 })).edges[0]?.cursor !== before.edges[0]?.cursor, 20_000, 'collection after the restart');
    await new Promise((r) => setTimeout(r, 1_500));
    // Every request id the pods wrote since the first line is stored exactly once.
    const all: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 40; i++) {
      const p = await page({ first: 100, after });
      all.push(...messages(p));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    const ids = requestIds(all);
    expect(ids.length).toBeGreaterThan(100);
    expect(ids.length - new Set(ids).size).toBe(0);
  });

  it('should drop whole days older than the retention and keep the rest', async () => {
    const db = t.server.database.db;
    const envUuid = parseGlobalId(env.id)!.id;
    await db.execute(sql.raw(`create table if not exists pod_log_lines_20200101 partition of pod_log_lines for values from ('2020-01-01T00:00:00Z') to ('2020-01-02T00:00:00Z')`));
    await db.execute(sql`insert into pod_log_lines (environment_id, sequence, at, pod, version, message) values (${envUuid}::uuid, 0, '2020-01-01T12:00:00Z', 'old-pod', null, 'from long ago')`);
    const newestBefore = (await page({ first: 1 })).edges[0]!.cursor;
    expect(await t.server.logCollector.expire()).toBe(1);
    const partitions = await db.execute(sql`select count(*)::int as n from pg_class where relname = 'pod_log_lines_20200101'`);
    const rows = (Array.isArray(partitions) ? partitions : (partitions as unknown as { rows: { n: number }[] }).rows) as { n: number }[];
    expect(rows[0]!.n).toBe(0);
    expect((await page({ filter: { pods: ['old-pod'] } })).edges).toEqual([]);
    expect((await page({ first: 1, after: newestBefore })).edges).toHaveLength(1);
  });
});
