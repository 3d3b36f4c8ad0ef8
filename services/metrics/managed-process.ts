import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Logger } from 'pino';

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
  /** Sends a signal (HAProxy reloads its configuration on SIGUSR2). @returns false once it has exited. */
  signal(signal: NodeJS.Signals): boolean;
  /** Sends SIGTERM and waits for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/**
 * Starts `binary` with `args(port)` on a free loopback port and waits until `readyPath` answers
 * 200 (up to `timeoutMs`). The child's output is kept (last 40 lines) for the error of a failed
 * start and logged at debug level; it never holds request data.
 * @throws Error naming the binary when it exits or does not become ready.
 */
export async function startManagedProcess(options: {
  name: string;
  binary: string;
  args: (port: number) => string[];
  readyPath: string;
  /** The port to give it (default: a free one), for a child whose configuration names it before the start. */
  port?: number;
  logger: Logger;
  timeoutMs?: number;
}): Promise<ManagedProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(options.binary, options.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      options.logger.debug({ component: options.name }, line.slice(0, 500));
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', () => undefined);
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };
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
  options.logger.info({ component: options.name, url, pid: child.pid }, `${options.name} started`);
  return { url, stop, signal: (signal) => !exited && child.kill(signal) };
}
