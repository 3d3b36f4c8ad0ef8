import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { TEST_DB } from '../support/database.ts';
import { aMigratedDatabase } from '../support/migrated-database.ts';
import { ChildServer, freePort, waitForHttp } from '../support/processes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIRST_TOKEN = 'gnt_first-start-token-0123456789abcdefghijklmnopqrstuvw';
const STALE_TOKEN = 'gnt_never-minted-token-0123456789abcdefghijklmnopqrstuv';
/** Gantry under tsx on PGlite (WebAssembly) can take a minute to start on a loaded machine. */
const STARTUP_MS = 180_000;

/** Runs `npm run -s admin-token` as a user would, in the project root. */
function adminToken(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'admin-token'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run admin-token', () => {
  let dataDir: string;
  let pg: Awaited<ReturnType<typeof aMigratedDatabase>> = null;
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-admin-token-'));
    pg = await aMigratedDatabase(dataDir);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      HOST: '127.0.0.1',
      PORT: String(port),
      GANTRY_DATA_DIR: dataDir,
      GANTRY_EMBEDDED_CLUSTER: '0',
      GANTRY_LOG_LEVEL: 'info',
      ...(pg ? { DATABASE_URL: pg.url } : { DATABASE_URL: '' }),
    };
  });

  afterAll(async () => {
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const viewer = async (token: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { login isAdmin } }' }),
    });
    return { status: res.status, body: (await res.json()) as { data?: { viewer: { login: string; isAdmin: boolean } } } };
  };

  it('mints a working admin token while the server is stopped, and the server warns about an ignored GANTRY_ADMIN_TOKEN', async () => {
    const first = new ChildServer('server/main.ts', { ...env, GANTRY_ADMIN_TOKEN: FIRST_TOKEN });
    first.start();
    const stopped: (number | null)[] = [];
    let minted: string;
    try {
      await waitForHttp(`${url}/readyz`, first, STARTUP_MS);
      expect((await viewer(FIRST_TOKEN)).body.data?.viewer).toEqual({ login: 'admin', isAdmin: true });
      expect(first.output).not.toContain('GANTRY_ADMIN_TOKEN is ignored');

      const whileRunning = await adminToken(env);
      if (TEST_DB === 'pglite') {
        // PGlite serves one process: a second opener would silently lose writes, so the command refuses.
        expect(whileRunning.code).toBe(1);
        expect(whileRunning.stdout).toBe('');
        expect(whileRunning.stderr).toMatch(/in use by another Gantry process \(pid \d+\)/);
        expect((await viewer(FIRST_TOKEN)).status).toBe(200);
      } else {
        // PostgreSQL serves many processes: minting next to a running server is fine.
        expect(whileRunning.code).toBe(0);
        expect((await viewer(whileRunning.stdout.trim())).body.data?.viewer.login).toBe('admin');
      }
    } finally {
      stopped.push(await first.kill('SIGTERM'));
    }

    const result = await adminToken(env);
    expect(result.code, result.stderr).toBe(0);
    // Only the token on stdout, so `export GANTRY_ADMIN_TOKEN=$(npm run -s admin-token)` works.
    expect(result.stdout).toMatch(/^gnt_[A-Za-z0-9_-]{43}\n$/);
    minted = result.stdout.trim();
    expect(result.stderr).not.toContain(minted);

    const second = new ChildServer('server/main.ts', { ...env, GANTRY_ADMIN_TOKEN: STALE_TOKEN });
    second.start();
    try {
      await waitForHttp(`${url}/readyz`, second, STARTUP_MS);
      expect(second.output).toMatch(/"level":"warn"[^\n]*GANTRY_ADMIN_TOKEN is ignored[^\n]*npm run admin-token/);
      expect(second.output).not.toContain(STALE_TOKEN);
      expect((await viewer(STALE_TOKEN)).status).toBe(401);
      expect((await viewer(minted)).body.data?.viewer).toEqual({ login: 'admin', isAdmin: true });
      expect((await viewer(FIRST_TOKEN)).body.data?.viewer.login).toBe('admin');
    } finally {
      stopped.push(await second.kill('SIGTERM'));
    }
    expect(stopped, 'both servers stop cleanly on SIGTERM').toEqual([0, 0]);

    // The minting is audited, with no actor (it came from the command line) and no secret.
    const handle = await openDatabase({ url: pg?.url, dataDir: join(dataDir, 'pgdata') });
    try {
      const rows = await handle.db.query.auditEntries.findMany();
      const minting = rows.filter((row) => row.action === 'apiToken.create');
      expect(minting.length).toBe(TEST_DB === 'pglite' ? 1 : 2);
      expect(minting[0]).toMatchObject({ actorId: null, targetType: 'ApiToken', details: { login: 'admin', via: 'npm run admin-token' } });
      expect(JSON.stringify(rows)).not.toContain(minted);
    } finally {
      await handle.close();
    }
  }, 4 * STARTUP_MS);
});
