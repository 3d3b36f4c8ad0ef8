import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/processes.ts';
import { extractSnippets, KINDS, type Snippet } from './snippets.ts';

/**
 * Runs every code block of README.md (see snippets.ts for what each fence language means).
 *
 * Conventions for snippets: they talk to Gantry at `127.0.0.1:4000` and authenticate with
 * `$GANTRY_ADMIN_TOKEN`, exactly as a reader would type them. The test runs them from the
 * project root with PORT set to a free port, `127.0.0.1:4000` rewritten to that port in the
 * snippet text, and GANTRY_DATA_DIR set to a fresh temporary directory, so it never touches
 * `.gantry/` or a Gantry the developer has running. The snippets themselves start Gantry
 * (`npm start &`) and set the token; whatever they leave running is stopped at the end (the
 * session runs in its own process group, which gets SIGTERM).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = join(ROOT, 'README.md');
/** Minting on a fresh PGlite and a first start each take up to a minute or two on a loaded machine. */
const SESSION_MS = 540_000;

const snippets = extractSnippets(readFileSync(README, 'utf8'));

/** Runs a shell script in its own process group; resolves with its exit code and output. */
function runSession(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[test] session killed after ${timeoutMs} ms\n`;
      process.kill(-child.pid!, 'SIGKILL');
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // Whatever the snippets left running (npm start &) is in the group: stop it gracefully.
      stopGroup(child.pid!).then(() => resolve({ code, output }), reject);
    });
  });
}

/** SIGTERM to a process group, then waits for it to be gone (SIGKILL after 30 s). */
async function stopGroup(pgid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(-pgid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(-pgid, 'SIGKILL');
}

/** The last block marker the session printed: the block that was running when it stopped. */
function failedBlock(output: string): number | null {
  const markers = [...output.matchAll(/^\[readme-block (\d+)\]$/gm)];
  return markers.length ? Number(markers[markers.length - 1]![1]) : null;
}

describe('README.md code blocks', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'gantry-readme-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('every block is marked with a language this test knows how to check', () => {
    const unknown = snippets.filter((s) => !KINDS.includes(s.info)).map((s) => `README.md:${s.line}: \`\`\`${s.info || '(no language)'}`);
    expect(unknown, `mark each block sh, js, js fragment, graphql or text:\n${unknown.join('\n')}`).toEqual([]);
    expect(snippets.some((s) => s.info === 'sh')).toBe(true);
  });

  it('graphql blocks parse and js fragments are valid syntax', async () => {
    for (const s of snippets.filter((x) => x.info === 'graphql')) {
      expect(() => parse(s.code), `README.md:${s.line}`).not.toThrow();
    }
    for (const s of snippets.filter((x) => x.info === 'js fragment')) {
      const file = join(workDir, `fragment-${s.line}.mjs`);
      writeFileSync(file, s.code);
      const result = await runSession(`node --check ${JSON.stringify(file)}`, process.env, 30_000);
      expect(result.code, `README.md:${s.line}: js fragment is not valid syntax:\n${result.output}`).toBe(0);
    }
  });

  it('sh and js blocks run, in order, in one session against a real Gantry', async () => {
    const port = await freePort();
    const runnable = snippets.filter((s) => s.info === 'sh' || s.info === 'js');
    const script = ['set -eo pipefail', ...runnable.map((s) => step(s, port))].join('\n');
    // GANTRY_METRICS_PORT=0: other test files run Gantry processes at the same time.
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), GANTRY_DATA_DIR: join(workDir, 'data'), GANTRY_EMBEDDED_TIME_SCALE: '0.05', GANTRY_METRICS_PORT: '0' };
    for (const name of ['DATABASE_URL', 'GANTRY_ADMIN_TOKEN', 'GANTRY_PGLITE_DIR', 'GANTRY_CLUSTERS', 'HOST', 'NODE_ENV', 'GANTRY_LOG_LEVEL']) delete env[name];
    const result = await runSession(script, env, SESSION_MS);
    const line = failedBlock(result.output);
    expect(result.code, `README.md:${line ?? '?'}: the block starting there failed (exit ${result.code}); session output:\n${result.output}`).toBe(0);
    expect(line, 'every runnable block ran').toBe(runnable.at(-1)?.line ?? null);
  }, SESSION_MS + 30_000);

  /** One block as a step of the session: a marker naming its line, then its code. */
  function step(snippet: Snippet, port: number): string {
    const code = snippet.code.replaceAll('127.0.0.1:4000', `127.0.0.1:${port}`).replaceAll('localhost:4000', `localhost:${port}`);
    const marker = `echo "[readme-block ${snippet.line}]"`;
    if (snippet.info === 'sh') return `${marker}\n${code}`;
    const file = join(workDir, `block-${snippet.line}.mjs`);
    writeFileSync(file, code);
    return `${marker}\nnode --input-type=module < ${JSON.stringify(file)}`;
  }
});
