import { spawn } from 'node:child_process';

/** What one external command did. */
export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it printed (stdout and stderr), for a failure's message. */
  tail: string[];
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the whole process group (buildah's children too). */
  signal?: AbortSignal;
  /** Every line the command prints, as it prints it. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Bytes given on stdin. */
  input?: string;
}

const TAIL = 20;
const MAX_LINE = 4000;

/**
 * Runs one program with an argv array: never through a shell, so nothing in `args` is parsed
 * as shell syntax. The child leads its own process group so a cancel or timeout can end it
 * with everything it started.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return resolve({ code: null, signal: 'SIGKILL', tail: ['canceled before it started'] });
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const tail: string[] = [];
    let settled = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      // A grandchild in a session of its own (buildah's chroot) may hold the pipes open: do not
      // wait for them once ours is dead; the caller kills what is left (killProcessesUnder).
      child.once('exit', (code, signal) => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        if (!settled) {
          settled = true;
          resolve({ code, signal, tail });
        }
      });
    };
    options.signal?.addEventListener('abort', kill, { once: true });
    const reader = (stream: 'stdout' | 'stderr') => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = partial + chunk.toString('utf8');
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        if (partial.length > MAX_LINE) {
          lines.push(partial);
          partial = '';
        }
        for (const raw of lines) emit(raw, stream);
      };
    };
    const emit = (raw: string, stream: 'stdout' | 'stderr') => {
      const line = raw.replace(/\r$/, '').slice(0, MAX_LINE);
      tail.push(line);
      if (tail.length > TAIL) tail.shift();
      options.onLine?.(line, stream);
    };
    const out = reader('stdout');
    const err = reader('stderr');
    child.stdout!.on('data', out);
    child.stderr!.on('data', err);
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.once('error', (error) => {
      options.signal?.removeEventListener('abort', kill);
      reject(error);
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', kill);
      if (!settled) {
        settled = true;
        resolve({ code, signal, tail });
      }
    });
  });
}

/** True when `command` can be run (it is on PATH). */
export async function hasProgram(command: string): Promise<boolean> {
  const { access, constants } = await import('node:fs/promises');
  const { delimiter, join } = await import('node:path');
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/**
 * The processes whose root or working directory is under `dir`, or whose command line names a
 * path under it (Linux /proc): what a build started in its workspace, inside its chroot or not,
 * including the buildah and git processes (their `--root`, `--runroot` and clone paths are there).
 */
export async function processesUnder(dir: string): Promise<number[]> {
  const { readdir, readFile, readlink } = await import('node:fs/promises');
  const found: number[] = [];
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const root = await readlink(`/proc/${entry}/root`).catch(() => '');
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (root.startsWith(dir) || cwd.startsWith(dir) || cmdline.split('\u0000').some((arg) => arg.startsWith(dir))) found.push(Number(entry));
  }
  return found;
}

/**
 * Kills every process {@link processesUnder} `dir`: what a canceled build left running inside its
 * chroot, outside our process group, and what the build of a Gantry process that died left running.
 * @returns how many it killed.
 */
export async function killProcessesUnder(dir: string): Promise<number> {
  let killed = 0;
  for (const pid of await processesUnder(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
