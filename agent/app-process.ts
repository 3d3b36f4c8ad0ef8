/**
 * One run of the app: the spec's `run.command` (argv, no shell) in the release directory, with
 * the config variables, `PORT` set to a private loopback port the agent's proxy forwards to, and
 * `GANTRY_AGENT_PORT` the agent's public one. Its pid is kept in `<dir>/app.<version>.pid` so a
 * restarted agent can stop a process its killed predecessor left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { isAbsolute, join } from 'node:path';

export interface RunSpec {
  command: string[];
  healthPath: string;
}

/** A free loopback port (released before the app binds it). */
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

export class AppProcess {
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    readonly version: string,
    readonly port: number,
    readonly healthPath: string,
    private readonly child: ChildProcess,
    private readonly pidFile: string,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', () => ((this.exited = true), resolve())));
    child.once('error', () => undefined);
  }

  /** Starts `run` for `version` from `releaseDir`. */
  static async start(options: { version: string; releaseDir: string; run: RunSpec; env: Record<string, string>; publicPort: number; stateDir: string; log: (line: string) => void }): Promise<AppProcess> {
    const port = await freePort();
    const [program, ...args] = options.run.command;
    // A relative program with a slash lives in the release (./bin/app); a bare name is looked up on PATH.
    const executable = program!.includes('/') && !isAbsolute(program!) ? join(options.releaseDir, program!) : program!;
    const child = spawn(executable, args, {
      cwd: options.releaseDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env, PORT: String(port), GANTRY_AGENT_PORT: String(options.publicPort), GANTRY_RELEASE: options.version },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const relay = (chunk: Buffer) => chunk.toString('utf8').split('\n').filter(Boolean).forEach((line) => options.log(`[${options.version}] ${line.slice(0, 500)}`));
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
    const pidFile = join(options.stateDir, `app.${options.version}.pid`);
    if (child.pid) await writeFile(pidFile, `${child.pid}\n`);
    return new AppProcess(options.version, port, options.run.healthPath, child, pidFile);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** One health check: 200 on the health path within 2 s. */
  async healthy(): Promise<boolean> {
    if (this.exited) return false;
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}${this.healthPath}`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** Polls the health path until it answers 200 (true) or `timeoutMs` passes or the process exits (false). */
  async waitHealthy(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.exited) {
      if (await this.healthy()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /** SIGTERM, SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exit;
      clearTimeout(timer);
    }
    await rm(this.pidFile, { force: true });
  }
}

/** Stops app processes a killed agent left behind (their pid files). */
export async function stopLeftovers(stateDir: string): Promise<void> {
  const { readdir, readFile } = await import('node:fs/promises');
  for (const entry of await readdir(stateDir).catch(() => [] as string[])) {
    if (!/^app\.r\d+\.pid$/.test(entry)) continue;
    const pid = Number((await readFile(join(stateDir, entry), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(join(stateDir, entry), { force: true });
  }
}
