import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { aMigratedDatabase } from '../support/migrated-database.ts';
import { ChildServer, freePort, waitForHttp } from '../support/processes.ts';

const TOKEN = 'gnt_shutdown-test-admin-token-0123456789abcdef';
const READYZ = 'GET /readyz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n';

/** Raw HTTP/1.1 responses read off one socket, in order (Content-Length or chunked bodies, ASCII). */
function responses(socket: Socket): { next(): Promise<{ status: number; body: string }> } {
  let buffer = Buffer.alloc(0);
  let waiting: (() => void) | null = null;
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    waiting?.();
  });
  socket.on('close', () => waiting?.());
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end >= 0) {
          const head = buffer.subarray(0, end).toString('latin1');
          const status = Number(head.split(' ')[1]);
          if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
            const last = buffer.indexOf('\r\n0\r\n\r\n', end + 4);
            if (last >= 0) {
              let rest = buffer.subarray(end + 4, last + 2).toString('utf8');
              let body = '';
              while (rest.length > 0) {
                const lineEnd = rest.indexOf('\r\n');
                const size = parseInt(rest.slice(0, lineEnd), 16);
                body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
                rest = rest.slice(lineEnd + 4 + size);
              }
              buffer = buffer.subarray(last + 7);
              return { status, body };
            }
          }
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
          if (!Number.isNaN(length) && buffer.length >= end + 4 + length) {
            const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
            buffer = buffer.subarray(end + 4 + length);
            return { status, body };
          }
        }
        if (socket.destroyed) throw new Error(`socket closed before a whole response arrived: ${buffer.toString()}`);
        await new Promise<void>((resolve) => (waiting = resolve));
      }
    },
  };
}

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * SIGTERM to a real Gantry process while a mutation is in flight. On PostgreSQL the mutation is
 * held by a real lock: the test's own transaction locks the audit table, so the mutation's audit
 * insert waits. PGlite serves one process only, so there the request is held by its client
 * instead: the headers are sent and the body only after the signal.
 */
describe('graceful shutdown of a real process', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('should drain an in-flight mutation on SIGTERM, refuse new connections, answer /readyz 503 meanwhile and exit 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gantry-shutdown-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const pg = await aMigratedDatabase(dataDir);
    if (pg) cleanups.push(() => pg.drop());
    const port = await freePort();
    const child = new ChildServer('server/main.ts', {
      // Not 'test': Apollo installs its own signal handlers only outside tests, which was the bug.
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      GANTRY_DATA_DIR: dataDir,
      GANTRY_ADMIN_TOKEN: TOKEN,
      GANTRY_EMBEDDED_CLUSTER: '0',
      GANTRY_LOG_LEVEL: 'info',
      GANTRY_SHUTDOWN_TIMEOUT_MS: '30000',
      ...(pg ? { DATABASE_URL: pg.url } : {}),
    });
    child.start();
    cleanups.push(async () => void (await child.kill()));
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`, child, 150_000);

    const body = JSON.stringify({ query: 'mutation { createProject(input: { slug: "drain", name: "Drain" }) { slug name } }' });
    const head =
      `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
      `authorization: Bearer ${TOKEN}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const socket = connect(port, '127.0.0.1');
    cleanups.push(async () => void socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => {}); // a reset shows up as a missing response below
    const answers = responses(socket);

    let release: () => Promise<void>;
    if (pg) {
      const sql = postgres(pg.url, { max: 2, onnotice: () => {} });
      cleanups.push(() => sql.end({ timeout: 1 }));
      const holder = await sql.reserve();
      await holder`begin`;
      await holder`lock table audit_entries in exclusive mode`;
      socket.write(head + body);
      await until(async () => {
        const [row] = await sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'gantry' and wait_event_type = 'Lock'`;
        return row!.n > 0;
      }, 'the mutation waiting on the lock');
      release = async () => {
        socket.write(READYZ);
        await holder`rollback`;
        holder.release();
      };
    } else {
      socket.write(head + body.slice(0, 10));
      release = async () => void socket.write(body.slice(10) + READYZ);
    }

    const exited = child.kill('SIGTERM');
    await until(() => child.output.includes('shutting down'), 'the shutdown log line');
    // A new connection is refused at once…
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    // …while the mutation is still being waited for: the process has not exited.
    await new Promise((r) => setTimeout(r, 500));
    expect(child.running).toBe(true);
    expect(child.output).not.toContain('gantry stopped');

    // The mutation completes, with /readyz pipelined behind it on its connection: answered
    // during the drain. The pipelined request reaches the server before the mutation's answer is
    // sent (with the rest of the body, or before the lock is released): written afterwards, it
    // could find the connection already idle, which a shutdown closes.
    await release();
    const mutation = await answers.next().catch((error: Error) => {
      throw new Error(`${error.message}\nprocess output:\n${child.output}`);
    });
    expect(mutation.status).toBe(200);
    expect(JSON.parse(mutation.body)).toEqual({ data: { createProject: { slug: 'drain', name: 'Drain' } } });
    const ready = await answers.next();
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'unavailable', reason: 'shutting down' });

    expect(await exited).toBe(0);
    expect(child.output).toContain('gantry stopped');
    expect(child.output).not.toContain('shutdown timeout');
  }, 240_000);
});
