/**
 * Server processes of the benchmarks that compare Gantry with a baseline: each runs alone on
 * the server core (taskset), with NODE_ENV=production, its output in a log file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { freePort } from '../../test/support/processes.ts';
import { waitFor } from './stats.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The core servers run on; load generators and clients run on the other. */
export const SERVER_CPU = 1;
export const LOAD_CPU = 0;

let tasksetKnown: boolean | undefined;
/** `taskset` (util-linux) pins processes to cores; without it runs are unpinned. */
export function hasTaskset(): boolean {
  tasksetKnown ??= spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
  return tasksetKnown;
}

/**
 * With BENCH_PROFILE_DIR set, a server process writes a whole-run CPU profile there when it
 * stops (`<name>.cpuprofile`): under load the timed runs dominate it.
 */
function profileFlags(name: string): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return [];
  // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line.
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name.replace(/[^A-Za-z0-9]+/g, '-')}-${Date.now()}.cpuprofile`];
}

/** Which Gantry entry point: the production build when `npm run build` made one. */
export function gantryEntry(): { args: string[]; label: string } {
  return existsSync(join(ROOT, 'dist/server/main.js'))
    ? { args: ['dist/server/main.js'], label: 'node dist/server/main.js' }
    : { args: ['--import', 'tsx', 'server/main.ts'], label: 'tsx server/main.ts (no dist/: run npm run build)' };
}

/** A server process of the benchmark, pinned to the server core. */
export class Server {
  private constructor(
    readonly name: string,
    readonly origin: string,
    private readonly child: ChildProcess,
    /** The process's inspector (started with `inspect`), for collecting garbage on demand. */
    private readonly inspector: string | null = null,
  ) {}

  /**
   * Resident memory after a full collection, through the inspector (`HeapProfiler.collectGarbage`,
   * which also gives back young-generation space V8 had grown): what the process holds, not when
   * it last collected. Only for servers started with `inspect`.
   */
  async retainedRssBytes(): Promise<number> {
    if (!this.inspector) throw new Error(`${this.name} was not started with its inspector`);
    const socket = new WebSocket(this.inspector);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    try {
      for (let id = 1; id <= 2; id++) {
        const answered = new Promise<void>((resolve) => socket.on('message', (data) => JSON.parse(String(data)).id === id && resolve()));
        socket.send(JSON.stringify({ id, method: 'HeapProfiler.collectGarbage' }));
        await answered;
      }
    } finally {
      socket.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    return this.rssBytes();
  }

  /** Resident memory now, from /proc (taskset execs the server, so the pid is the server's). */
  rssBytes(): number {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  }

  static async start(name: string, args: string[], env: Record<string, string>, ready: string, logFile: string, options: { inspect?: boolean } = {}): Promise<Server> {
    const port = await freePort();
    const node = [process.execPath, ...profileFlags(name), ...(options.inspect ? ['--inspect=127.0.0.1:0'] : []), ...args];
    const command = hasTaskset() ? ['taskset', '-c', String(SERVER_CPU), ...node] : node;
    const log = openSync(logFile, 'a');
    const child = spawn(command[0]!, command.slice(1), {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', ...env, PORT: String(port) },
      stdio: ['ignore', log, log],
    });
    const origin = `http://127.0.0.1:${port}`;
    const up = await waitFor(async () => child.exitCode === null && (await fetch(`${origin}${ready}`).then((r) => r.status < 500, () => false)), 90_000, 100);
    if (!up) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start (log: ${logFile})`);
    }
    // Node prints the inspector's address on stderr (the log file) before the program runs.
    const inspector = options.inspect ? (/Debugger listening on (ws:\/\/\S+)/.exec(readFileSync(logFile, 'utf8'))?.[1] ?? null) : null;
    if (options.inspect && !inspector) throw new Error(`${name} did not print its inspector address (log: ${logFile})`);
    return new Server(name, origin, child, inspector);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}


/** Gantry as operators run it, for a benchmark: PostgreSQL, the cluster in its own process, metrics on their own port. */
export interface GantryProcess {
  server: Server;
  /** Where /metrics may answer: the metrics port, then the main port. */
  metricsOrigins: string[];
  /** How it was started (dist/ or tsx). */
  entry: string;
}

/**
 * Starts Gantry pinned to the server core on `databaseUrl`, connected to the cluster process
 * whose kubeconfig is `kubeconfig`, with `adminToken` as the platform admin's; per-token limits
 * are lifted; `env` adds or overrides variables.
 */
export async function startGantryProcess(dir: string, databaseUrl: string, kubeconfig: string, adminToken: string, env: Record<string, string> = {}, options: { inspect?: boolean } = {}): Promise<GantryProcess> {
  const metricsPort = await freePort();
  const entry = gantryEntry();
  const server = await Server.start(
    'Gantry',
    entry.args,
    {
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      GANTRY_DATA_DIR: join(dir, 'gantry'),
      GANTRY_ADMIN_TOKEN: adminToken,
      GANTRY_CLUSTERS: `embedded=${kubeconfig}`,
      GANTRY_EMBEDDED_CLUSTER: '0',
      // The cluster process's kubeconfig is a file on this machine pointing at loopback http.
      GANTRY_TRUST_CLUSTER_FILES: '1',
      GANTRY_ALLOW_INSECURE_CLUSTERS: '1',
      GANTRY_METRICS_PORT: String(metricsPort),
      // The other benches measure Gantry alone: no managed Prometheus or Alertmanager beside it.
      GANTRY_MANAGED_MONITORING: '0',
      // A benchmark's load comes from one token: it is the load, not abuse.
      GANTRY_MAX_OPERATIONS_PER_SECOND: '1000000',
      GANTRY_OPERATIONS_BURST: '1000000',
      GANTRY_MAX_CONNECTIONS_PER_TOKEN: '100000',
      ...env,
    },
    '/readyz',
    join(dir, 'gantry.log'),
    options,
  );
  return { server, metricsOrigins: [`http://127.0.0.1:${metricsPort}`, server.origin], entry: entry.label };
}
