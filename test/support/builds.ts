import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './processes.ts';

/** The programs the build tests run for real. */
const TOOLS = ['buildah', 'docker-registry', 'git', 'tar'];
const BUSYBOX = '/bin/busybox';

/**
 * Whether the build tools are installed. Elsewhere than CI a missing one skips the suite with a
 * printed notice; in CI (`CI=true`) it fails, since .ci/run installs them.
 */
export function buildToolsMissing(): string | null {
  const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status !== 0);
  if (spawnSync('test', ['-x', BUSYBOX]).status !== 0) missing.push('busybox-static');
  if (missing.length === 0) return null;
  const notice = `build tests need ${missing.join(', ')} (apt-get install buildah docker-registry busybox-static git)`;
  if (process.env.CI === 'true') throw new Error(notice);
  console.warn(`SKIPPED: ${notice}`);
  return notice;
}

async function waitFor(url: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited at start`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start`);
}

/** A real registry (Debian's docker-registry) on a free loopback port, storing in a temp dir. */
export async function startRegistry(): Promise<{ host: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-registry-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'data'))} }, delete: { enabled: true } }\nhttp: { addr: "127.0.0.1:${port}" }\n`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${port}/v2/`, child, 'docker-registry');
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Pushes `<registry>/base/busybox:1`: busybox-static in an image built FROM scratch (nothing
 * can be pulled from the internet here), with its applets installed so /bin/sh exists.
 */
export function pushBusyboxImage(registry: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-base-'));
  const b = (...args: string[]) => {
    const r = spawnSync('buildah', ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`buildah ${args[0]} failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  try {
    const ctr = b('from', 'scratch');
    b('copy', ctr, BUSYBOX, '/bin/busybox');
    b('run', '--isolation', 'chroot', ctr, '--', '/bin/busybox', '--install', '-s', '/bin');
    b('commit', '--quiet', ctr, 'base/busybox:1');
    const image = `${registry}/base/busybox:1`;
    b('push', '--quiet', '--tls-verify=false', 'base/busybox:1', `docker://${image}`);
    return image;
  } finally {
    spawnSync('buildah', ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs', 'rm', '--all']);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A bare repository served by `git daemon` on loopback, and a working copy to push from. */
export interface GitServer {
  /** `git://127.0.0.1:<port>/<name>.git` */
  url(name: string): string;
  /** Creates (or updates) repository `name` with `files` on `branch`; @returns the commit SHA. */
  push(name: string, files: Record<string, string>, branch?: string): string;
  /** Like push, without blocking the event loop: for pushes whose hook calls this process's server. */
  pushAsync(name: string, files: Record<string, string>, branch?: string): Promise<string>;
  /** Installs a post-receive hook in `name` that posts GitLab's push event JSON to `webhookUrl`. */
  hook(name: string, webhookUrl: string, secret: string): void;
  stop(): Promise<void>;
}

export async function startGitServer(): Promise<GitServer> {
  const base = mkdtempSync(join(tmpdir(), 'gantry-git-'));
  const port = await freePort();
  const child = spawn('git', ['daemon', '--reuseaddr', '--export-all', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, base], { stdio: 'ignore' });
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  // git daemon answers nothing over HTTP: wait until it accepts connections.
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: (name) => `git://127.0.0.1:${port}/${name}.git`,
    push(name, files, branch = 'main') {
      const bare = join(base, `${name}.git`);
      const work = join(base, `${name}.work`);
      if (spawnSync('test', ['-d', bare]).status !== 0) {
        git(base, 'init', '--quiet', '--bare', '-b', 'main', bare);
        git(base, 'init', '--quiet', '-b', 'main', work);
      }
      if (git(work, 'branch', '--show-current') !== branch) git(work, 'checkout', '--quiet', '-B', branch);
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', `change ${Date.now()}`);
      git(work, 'push', '--quiet', bare, `${branch}:${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    async pushAsync(name, files, branch = 'main') {
      const work = join(base, `${name}.work`);
      if (git(work, 'branch', '--show-current') !== branch) git(work, 'checkout', '--quiet', '-B', branch);
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', `change ${Date.now()}`);
      await new Promise<void>((resolve, reject) => {
        const child = spawn('git', ['push', '--quiet', join(base, `${name}.git`), `${branch}:${branch}`], { cwd: work, stdio: 'ignore' });
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`git push exited ${code}`))));
      });
      return git(work, 'rev-parse', 'HEAD');
    },
    hook(name, webhookUrl, secret) {
      const hook = join(base, `${name}.git`, 'hooks', 'post-receive');
      // What GitLab sends on a push, from the hook's stdin (old new ref), to the webhook URL.
      writeFileSync(
        hook,
        `#!/bin/sh\nwhile read old new ref; do\n  node -e 'const [url, secret, ref, sha] = process.argv.slice(1); fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-gitlab-token": secret }, body: JSON.stringify({ object_kind: "push", ref, checkout_sha: sha, before: "0", after: sha, project: { default_branch: "main" } }) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "${webhookUrl}" "${secret}" "$ref" "$new"\ndone\n`,
      );
      chmodSync(hook, 0o755);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(base, { recursive: true, force: true });
    },
  };
}


/** A small spec over the test base image: prepare writes deps/, build writes out/, two artifacts. */
export function testSpec(base: string, options: { version?: string; buildCommands?: string[]; dockerfile?: string } = {}): string {
  const build = options.buildCommands ?? ['mkdir -p out', 'cat deps/list main.txt > out/result', 'echo "built ${GANTRY_COMMIT}"'];
  return [
    `variables: { BASE: ${JSON.stringify(base)}, GREETING: hello }`,
    'on: { branches: [main] }',
    'timeoutSeconds: 300',
    `prepare: { version: ${JSON.stringify(options.version ?? '1')}, image: "\${BASE}", commands: ["mkdir -p deps", "echo dep-\${GREETING} > deps/list"], paths: [deps] }`,
    `build: { commands: ${JSON.stringify(build)} }`,
    'artifacts:',
    `  - { kind: image, name: app, dockerfile: ${JSON.stringify(options.dockerfile ?? 'FROM ${BASE}\nCOPY out/ /app/\n')} }`,
    '  - { kind: tarball, name: dist, paths: [out] }',
    '',
  ].join('\n');
}
