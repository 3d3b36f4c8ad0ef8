import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A free loopback port (closed again before it is used: fine for tests on one machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A real child process running one of the project's entry points with tsx. */
export class ChildServer {
  private child: ChildProcess | null = null;
  output = '';

  constructor(
    private readonly entry: string,
    readonly env: Record<string, string>,
  ) {}

  start(): void {
    this.output = '';
    this.child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, this.entry)], {
      cwd: ROOT,
      // Metrics on a free port unless a test says otherwise: several Gantry processes run at once.
      env: { ...process.env, NODE_ENV: 'test', GANTRY_METRICS_PORT: '0', GANTRY_MANAGED_MONITORING: '0', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk) => (this.output += chunk));
    this.child.stderr!.on('data', (chunk) => (this.output += chunk));
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills the process (SIGKILL by default: a crash, with no cleanup at all) and waits for it. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    this.child = null;
    return code;
  }
}

/** Waits until `url` answers 200 (or the process died). */
export async function waitForHttp(url: string, child: ChildServer, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`process exited before ${url} answered:\n${child.output}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${child.output}`);
}

/** Starts `npm run cluster`'s entry point in its own process; resolves with its kubeconfig path. */
export async function startClusterProcess(dataDir: string, timeScale = 0.02): Promise<{ process: ChildServer; kubeconfig: string }> {
  const child = new ChildServer('embedded-cluster/main.ts', { GANTRY_DATA_DIR: dataDir, GANTRY_EMBEDDED_TIME_SCALE: String(timeScale) });
  child.start();
  const kubeconfig = join(dataDir, 'kubeconfig');
  const deadline = Date.now() + 30_000;
  while (!(existsSync(kubeconfig) && child.output.includes('listening'))) {
    if (!child.running || Date.now() > deadline) throw new Error(`cluster did not start:\n${child.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { process: child, kubeconfig };
}

/**
 * Runs a GraphQL operation over HTTP against a test process on `port` with `token`.
 * @returns its data; throws with the errors when it has any.
 */
export async function graphqlAt(port: number, token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * Polls `check` (errors count as "not yet": a process may be restarting) until it gives a value.
 * @throws naming `what` after `timeoutMs`.
 */
export async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The environment of a Gantry process in the multiprocess tests: the shared PostgreSQL database,
 * the out-of-process embedded cluster (plain http on loopback), its own data dir and port, fast
 * release ticks. `extra` adds or overrides.
 */
export function gantryProcessEnv(options: { databaseUrl: string; kubeconfig: string; dataDir: string; port: number; token: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    GANTRY_CLUSTERS: `embedded=${options.kubeconfig}`,
    GANTRY_ALLOW_INSECURE_CLUSTERS: '1',
    GANTRY_DATA_DIR: options.dataDir,
    GANTRY_ADMIN_TOKEN: options.token,
    HOST: '127.0.0.1',
    PORT: String(options.port),
    GANTRY_LOG_LEVEL: 'warn',
    GANTRY_RELEASE_TICK_MS: '100',
    ...extra,
  };
}

/** Starts `server` and waits until its /readyz on `port` answers. */
export async function startAndWait(server: ChildServer, port: number): Promise<void> {
  server.start();
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, server);
}
