import type { StorageDriver } from './image-cache.ts';
import { allowedGitProtocols } from './inputs.ts';
import { runProcess, type ProcessResult } from './process.ts';

/** Where a stage's output lines go, and how it is stopped. */
export interface ToolContext {
  signal: AbortSignal;
  log: (line: string) => void;
}

/** A failed external command: its exit and its last lines, for the build's statusMessage. */
export class ToolFailure extends Error {
  constructor(
    readonly what: string,
    readonly result: ProcessResult,
  ) {
    const exit = result.code !== null ? `exit code ${result.code}` : `signal ${result.signal}`;
    const tail = result.tail.filter((l) => l.trim()).slice(-5).join('\n');
    super(`${what} failed (${exit})${tail ? `:\n${tail}` : ''}`);
  }
}

async function run(
  what: string,
  command: string,
  args: string[],
  ctx: ToolContext,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<string[]> {
  const lines: string[] = [];
  const result = await runProcess(command, args, {
    cwd: options.cwd,
    env: options.env,
    signal: ctx.signal,
    onLine: (line, stream) => {
      if (stream === 'stdout') lines.push(line);
      // Answers (container names, mount points, image ids) are results, not build output.
      if (stream === 'stderr' || !options.quiet) ctx.log(line);
    },
  });
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('canceled');
  if (result.code !== 0) throw new ToolFailure(what, result);
  return lines;
}

/**
 * git, for clones only. Never prompts, follows no protocol outside the allowed list (so no
 * `ext::`), and every URL or ref is passed after `--` or in a position git cannot read as an option.
 */
export class Git {
  constructor(private readonly allowFile: boolean) {}

  private env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_TERMINAL_PROMPT: '0',
      GIT_ALLOW_PROTOCOL: allowedGitProtocols(this.allowFile),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new',
    };
  }

  /**
   * Clones `url` into `dir` and checks out `ref` (a branch, tag or commit; the default branch
   * when null). @returns the commit checked out and the ref's name.
   */
  async checkout(url: string, ref: string | null, dir: string, ctx: ToolContext): Promise<{ commit: string; ref: string }> {
    const env = this.env();
    await run('git clone', 'git', ['clone', '--quiet', '--no-checkout', '--', url, dir], ctx, { env });
    const git = (what: string, args: string[]) => run(what, 'git', ['-C', dir, ...args], ctx, { env });
    let name = ref;
    if (name === null) {
      const [head] = await git('git symbolic-ref', ['symbolic-ref', '--short', 'refs/remotes/origin/HEAD']).catch(() => ['origin/main']);
      name = head!.replace(/^origin\//, '');
    }
    // A branch (origin/<ref>), then a tag, then a commit: the first that names a commit wins.
    const candidates = [`refs/remotes/origin/${name}`, `refs/tags/${name}`, name];
    let commit: string | null = null;
    for (const candidate of candidates) {
      const found = await runProcess('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${candidate}^{commit}`], { env, signal: ctx.signal });
      if (found.code === 0 && found.tail[0]) {
        commit = found.tail[0].trim();
        break;
      }
    }
    if (!commit) throw new Error(`ref "${name}" was not found in the repository (no such branch, tag or commit)`);
    await git('git checkout', ['checkout', '--quiet', '--detach', commit]);
    return { commit, ref: name };
  }
}

/** Settings of every buildah invocation of one build. */
export interface BuildahOptions {
  /** Per-build storage (`--root`/`--runroot`), removed with the workspace. */
  root: string;
  runroot: string;
  /** Registries reached over plain HTTP (loopback test and managed registries). */
  insecure: boolean;
  /** The storage driver (image-cache.ts chooses it once per process). */
  driver: StorageDriver;
  /** More global options: the image cache as a read-only image store. */
  storageOptions?: string[];
}

/**
 * buildah without a daemon: containers from images, commands run with chroot isolation (as
 * root, no user namespaces needed), commits and pushes. Arguments are argv entries only.
 */
export class Buildah {
  constructor(private readonly options: BuildahOptions) {}

  private args(...rest: string[]): string[] {
    return ['--root', this.options.root, '--runroot', this.options.runroot, '--storage-driver', this.options.driver, ...(this.options.storageOptions ?? []), ...rest];
  }

  private tls(): string[] {
    return [`--tls-verify=${!this.options.insecure}`];
  }

  private run(what: string, args: string[], ctx: ToolContext, quiet = false): Promise<string[]> {
    return run(what, 'buildah', this.args(...args), ctx, { quiet, env: { PATH: process.env.PATH, HOME: process.env.HOME, BUILDAH_ISOLATION: 'chroot' } });
  }

  /**
   * A working container from `image`: the cached copy when it is the registry's newest, else
   * pulled (`--pull=true`: a re-pushed tag is never used stale). @returns its name.
   */
  async from(image: string, ctx: ToolContext): Promise<string> {
    const out = await this.run(`pulling ${image}`, ['from', '--quiet', '--pull=true', ...this.tls(), '--', image], ctx, true);
    return out.at(-1)!.trim();
  }

  /** Copies a host directory's contents to `dest` in the container. */
  async copy(container: string, source: string, dest: string, ctx: ToolContext): Promise<void> {
    await this.run('copying the workspace', ['copy', '--quiet', '--', container, source, dest], ctx);
  }

  /**
   * Runs a stage's commands in the container, in order, in one shell (as GitLab runs a job's
   * script lines): a `cd` or a variable carries over to the next command, and the first command
   * that fails ends the stage. One `buildah run` for the stage, not one per command: each costs a
   * process, a storage lock and a chroot set-up (most of a short stage's time). The commands are
   * argv entries that a fixed script evals; each is echoed as `$ <command>` before it runs.
   * @throws ToolFailure naming the command that failed.
   */
  async script(container: string, commands: readonly string[], env: Record<string, string>, workdir: string, ctx: ToolContext): Promise<void> {
    if (commands.length === 0) return;
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    const script = 'set -e; for gantry_command in "$@"; do printf \'$ %s\\n\' "$gantry_command"; eval "$gantry_command"; done';
    // Which command ran last, from its echo (the next expected one, so output alike is not mistaken for it).
    let started = 0;
    const log = (line: string) => {
      if (started < commands.length && line === `$ ${commands[started]}`) started += 1;
      ctx.log(line);
    };
    try {
      await this.run('the commands', ['run', '--isolation', 'chroot', '--workingdir', workdir, ...envArgs, '--', container, '/bin/sh', '-c', script, 'sh', ...commands], { ...ctx, log });
    } catch (error) {
      if (!(error instanceof ToolFailure)) throw error;
      const failed = commands[Math.max(0, started - 1)]!;
      throw new ToolFailure(`command "${failed.slice(0, 200)}"`, error.result);
    }
  }

  /** Runs a fixed program with argv arguments in the container. */
  async exec(what: string, container: string, argv: string[], ctx: ToolContext): Promise<void> {
    await this.run(what, ['run', '--isolation', 'chroot', '--', container, ...argv], ctx);
  }

  /** Mounts the container's filesystem on the host. @returns the mount point. */
  async mount(container: string, ctx: ToolContext): Promise<string> {
    const out = await this.run('mounting the container', ['mount', '--', container], ctx, true);
    return out.at(-1)!.trim();
  }

  async commit(container: string, image: string, ctx: ToolContext): Promise<void> {
    await this.run('committing the image', ['commit', '--quiet', '--', container, image], ctx, true);
  }

  /** Builds a Dockerfile (`file`) with `context` as the build context. */
  async bud(file: string, context: string, tag: string, ctx: ToolContext): Promise<void> {
    await this.run('building the image', ['bud', '--isolation', 'chroot', '--pull=true', ...this.tls(), '--layers=false', '-f', file, '-t', tag, '--', context], ctx);
  }

  /** Pushes a local image to `reference`. @returns the manifest digest (sha256:…). */
  async push(image: string, reference: string, digestFile: string, ctx: ToolContext): Promise<string> {
    await this.run(`pushing ${reference}`, ['push', '--quiet', ...this.tls(), '--digestfile', digestFile, '--', image, `docker://${reference}`], ctx);
    const { readFile } = await import('node:fs/promises');
    return (await readFile(digestFile, 'utf8')).trim();
  }

  /** Removes every container of this build's storage (best effort, on the way out). */
  async removeAll(): Promise<void> {
    const ctx: ToolContext = { signal: new AbortController().signal, log: () => {} };
    await this.run('cleanup', ['rm', '--all'], ctx).catch(() => {});
    await this.run('cleanup', ['umount', '--all'], ctx).catch(() => {});
  }
}
