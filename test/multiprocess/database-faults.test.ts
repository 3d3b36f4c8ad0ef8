import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/database.ts';
import { ChildServer, freePort, waitForHttp } from '../support/processes.ts';

const TOKEN = 'gnt_db-faults-test-admin-token-0123456789abcdef';

/**
 * PostgreSQL terminating Gantry's connections (pg_terminate_backend, as a failover or an
 * administrator would) under a real Gantry process, so that a crash would be seen as an exit.
 */
describe('database connections killed under a running process', () => {
  let dataDir: string;
  let db: { url: string; drop(): Promise<void> };
  let sql: postgres.Sql;
  let child: ChildServer;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-db-faults-'));
    db = await createPostgresDatabase();
    sql = postgres(db.url, { max: 3, onnotice: () => {} });
    port = await freePort();
    child = new ChildServer('server/main.ts', {
      DATABASE_URL: db.url,
      GANTRY_DATA_DIR: dataDir,
      GANTRY_ADMIN_TOKEN: TOKEN,
      GANTRY_EMBEDDED_CLUSTER: '0',
      HOST: '127.0.0.1',
      PORT: String(port),
      GANTRY_LOG_LEVEL: 'warn',
      // The load below is four unthrottled workers on one token: the per-token rate limit
      // (tested in its own file) must not turn this test's answers into 429s.
      GANTRY_MAX_OPERATIONS_PER_SECOND: '100000',
      GANTRY_OPERATIONS_BURST: '100000',
    });
    child.start();
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, child, 150_000);
  }, 180_000);

  afterAll(async () => {
    await child?.kill();
    await sql?.end({ timeout: 1 });
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function gql(query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: await res.json() };
  }

  const gantryBackends = () => sql`select pid, wait_event_type, query from pg_stat_activity where datname = current_database() and application_name = 'gantry'`;
  const terminateAll = () =>
    sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = 'gantry'`;

  async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${child.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Runs `request` while the test holds `lockStatement` in a transaction of its own, so the
   * request's statement waits on the lock; kills the backend it waits on, then lets go.
   */
  async function killWhileWaiting<T>(lockStatement: string, request: () => Promise<T>): Promise<T> {
    const holder = await sql.reserve();
    try {
      await holder`begin`;
      await holder.unsafe(lockStatement);
      const pending = request();
      const [waiting] = await until(async () => {
        const rows = (await gantryBackends()).filter((r) => r.wait_event_type === 'Lock');
        return rows.length > 0 ? rows : null;
      }, 'a Gantry statement waiting on the lock');
      await sql`select pg_terminate_backend(${waiting!.pid})`;
      await new Promise((r) => setTimeout(r, 200));
      await holder`rollback`;
      return await pending;
    } finally {
      holder.release();
    }
  }

  it('should answer a read whose connection was killed mid-query, by re-running it once', async () => {
    const created = await gql('mutation { createProject(input: { slug: "read-retry", name: "Read" }) { slug } }');
    expect(created.body.errors).toBeUndefined();
    const read = await killWhileWaiting('lock table projects in access exclusive mode', () =>
      gql('{ project(slug: "read-retry") { slug name } }'),
    );
    expect(read).toEqual({ status: 200, body: { data: { project: { slug: 'read-retry', name: 'Read' } } } });
    expect(child.output).toContain('retrying once');
  }, 60_000);

  it('should commit a mutation whose transaction lost its connection before COMMIT, exactly once', async () => {
    const created = await killWhileWaiting('lock table audit_entries in exclusive mode', () =>
      gql('mutation { createProject(input: { slug: "tx-retry", name: "Tx" }) { slug name } }'),
    );
    expect(created).toEqual({ status: 200, body: { data: { createProject: { slug: 'tx-retry', name: 'Tx' } } } });
    const [row] = await sql`select count(*)::int as n from projects where slug = 'tx-retry'`;
    expect(row!.n).toBe(1);
    const [audit] = await sql`select count(*)::int as n from audit_entries where action = 'project.create' and details::text like '%tx-retry%'`;
    expect(audit!.n).toBe(1);
  }, 60_000);

  it('should survive connections killed every 300 ms under load, answer again afterwards and listen again', async () => {
    let stop = false;
    const outcomes: number[] = [];
    const load = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const res = await (i % 3 === 0
          ? gql('mutation($s: String!) { createProject(input: { slug: $s, name: "Load" }) { slug } }', { s: `load-${worker}-${i}` })
          : gql('{ projects(first: 5) { totalCount nodes { slug } } viewer { login } }')
        ).catch(() => ({ status: 0, body: null }));
        outcomes.push(res.status);
      }
    };
    const workers = [0, 1, 2, 3].map(load);
    const deadline = Date.now() + 6_000;
    while (Date.now() < deadline) {
      await terminateAll();
      await new Promise((r) => setTimeout(r, 300));
      expect(child.running, child.output).toBe(true);
    }
    stop = true;
    await Promise.all(workers);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes).not.toContain(0); // the server always answered (no dropped connection)
    expect(child.running, child.output).toBe(true);
    // postgres.js may throw its known TypeError (writing to a connection whose socket is gone):
    // logged as a driver error, never the fatal "uncaught exception".
    expect(child.output).not.toContain('uncaught exception');

    // Every pooled connection works again: a burst wider than the pool (10) all succeeds. A
    // connection the last kill caught in its startup handshake is given up only at the driver's
    // connect timeout (5 s, db/client.ts), and requests queued on it meanwhile fail with
    // CONNECT_TIMEOUT: seen in 3 of 8 runs on a loaded machine, once for about 20 s (several such
    // connections in turn). So "again" means within 30 s; the README says what a storm costs.
    const burst = () => Promise.all(Array.from({ length: 20 }, () => gql('{ projects(first: 1) { totalCount } viewer { login } }')));
    const after = await until(async () => {
      const answers = await burst();
      return answers.every((res) => res.status === 200 && res.body.data?.viewer?.login === 'admin') ? answers : null;
    }, 'a burst wider than the pool to succeed', 30_000);
    // On failure, the server's own log says which statement failed and why.
    for (const res of after) expect(res, child.output.slice(-4000)).toMatchObject({ status: 200, body: { data: { viewer: { login: 'admin' } } } });
    for (const res of after) expect(res.body.errors).toBeUndefined();
    // The releases bus listens again on a connection of its own.
    await until(async () => (await gantryBackends()).some((r) => /^listen /i.test(String(r.query))), 'the LISTEN connection back');
  }, 120_000);
});
