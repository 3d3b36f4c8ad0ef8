import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Logger } from 'pino';
import { Backoff } from '../cluster/backoff.ts';

/** The absolute path of `binary` on PATH, or null when it is not installed. */
export function findBinary(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** A free TCP port on loopback (released before use: the child binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A child process Gantry started and stops (Prometheus, Alertmanager, HAProxy). */
export interface ManagedProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The running child's pid (null between a crash and its restart). */
  readonly pid: number | null;
  /** How many times it was restarted after exiting on its own. */
  readonly restarts: number;
  /** Sends a signal (HAProxy reloads its configuration on SIGUSR2). @returns false while no child runs. */
  signal(signal: NodeJS.Signals): boolean;
  /** Sends SIGTERM and waits for the exit (SIGKILL after 5 s); no restart follows. */
  stop(): Promise<void>;
}

interface Options {
  name: string;
  binary: string;
  args: (port: number) => string[];
  readyPath: string;
  /** The port to give it (default: a free one), for a child whose configuration names it before the start. */
  port?: number;
  logger: Logger;
  timeoutMs?: number;
  /** First delay before restarting a child that exited on its own (doubles up to 30 s); default 1 s. */
  restartDelayMs?: number;
}

/** A run this long counts as healthy: the next crash restarts after the first delay again. */
const STABLE_MS = 60_000;

/**
 * Starts `binary` with `args(port)` on a free loopback port and waits until `readyPath` answers
 * 200 (up to `timeoutMs`). Once started it is supervised: when it exits without `stop` (a crash,
 * an OOM kill, someone's kill -9) it is started again on the same port, so its URL stays valid,
 * after a jittered backoff (1 s, 2 s … 30 s; back to 1 s after a minute's healthy run), each
 * exit and restart logged as a warning. The child's output is kept (last 40 lines) for the
 * error of a failed start and logged at debug level; it never holds request data.
 * @throws Error naming the binary when the first start exits or does not become ready.
 */
export async function startManagedProcess(options: Options): Promise<ManagedProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      options.logger.debug({ component: options.name }, line.slice(0, 500));
    }
  };
  const backoff = new Backoff({ initialMs: options.restartDelayMs ?? 1_000, maxMs: 30_000 });
  let child: ChildProcess | null = null;
  let exit: Promise<void> = Promise.resolve();
  let exited = true;
  let stopping = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | null = null;

  const launch = () => {
    const started = Date.now();
    const current = spawn(options.binary, options.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = current;
    exited = false;
    current.stdout?.on('data', keep);
    current.stderr?.on('data', keep);
    current.once('error', () => undefined);
    exit = new Promise<void>((resolve) =>
      current.once('exit', (code, signal) => {
        exited = true;
        child = null;
        resolve();
        if (stopping || !supervised) return;
        if (Date.now() - started > STABLE_MS) backoff.reset();
        const delay = backoff.next();
        options.logger.warn({ component: options.name, code, signal, restartInMs: delay, last: tail.slice(-3) }, `${options.name} exited; restarting`);
        restartTimer = setTimeout(() => {
          restartTimer = null;
          if (stopping) return;
          restarts += 1;
          launch();
          options.logger.warn({ component: options.name, url, pid: child?.pid, restarts }, `${options.name} restarted`);
        }, delay);
        restartTimer.unref();
      }),
    );
  };
  const stop = async () => {
    stopping = true;
    if (restartTimer) clearTimeout(restartTimer);
    if (exited || !child) return;
    child.kill('SIGTERM');
    const running = child;
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };

  // Supervision starts once the first start succeeded: a binary that cannot start is an error, not a loop.
  let supervised = false;
  launch();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`${options.name} exited during start: ${tail.slice(-5).join(' | ')}`);
    const ready = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not become ready within ${options.timeoutMs ?? 30_000} ms: ${tail.slice(-5).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  supervised = true;
  options.logger.info({ component: options.name, url, pid: child!.pid }, `${options.name} started`);
  return {
    url,
    stop,
    signal: (signal) => !exited && child !== null && child.kill(signal),
    get pid() {
      return child?.pid ?? null;
    },
    get restarts() {
      return restarts;
    },
  };
}
