import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/processes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'gnt_build-test-token-0123456789abcdefghijklmnopqrstuvwxy';
/** tsc over the whole server is slow on a loaded 2-core machine; so is a first PGlite start. */
const BUILD_MS = 420_000;
const START_MS = 240_000;

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run build', () => {
  // Includes the console build when its sources changed (scripts/build-console.ts).
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-build-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('builds dist/, which starts with plain node (no tsx), answers a query and stops cleanly on SIGTERM', async () => {
    const build = await run('npm', ['run', '-s', 'build'], BUILD_MS);
    expect(build.code, build.output).toBe(0);
    for (const file of ['server/main.js', 'scripts/admin-token.js', 'schema/base.graphql', 'migrations/meta/_journal.json', 'console/dist/index.html']) {
      expect(existsSync(join(ROOT, 'dist', file)), `dist/${file}`).toBe(true);
    }

    const port = await freePort();
    // process.execPath with no loader: what `npm run start:prod` and the container run.
    const server = spawn(process.execPath, ['dist/server/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(port),
        GANTRY_DATA_DIR: dataDir,
        GANTRY_ADMIN_TOKEN: TOKEN,
        GANTRY_EMBEDDED_CLUSTER: '0',
        // Other test files run Gantry processes at the same time: metrics on a free port.
        GANTRY_METRICS_PORT: '0',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + START_MS;
      for (;;) {
        if (server.exitCode !== null) throw new Error(`dist/server/main.js exited (${server.exitCode}):\n${output}`);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
        if (ready) break;
        if (Date.now() > deadline) throw new Error(`dist/server/main.js not ready within ${START_MS} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ query: '{ viewer { login } }' }),
      });
      expect(await res.json()).toEqual({ data: { viewer: { login: 'admin' } } });
      const page = await fetch(`http://127.0.0.1:${port}/p/shop`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
    expect(output).toContain('"msg":"gantry stopped"');
  }, BUILD_MS + START_MS + 30_000);
});
