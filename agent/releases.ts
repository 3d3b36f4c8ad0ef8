/**
 * The agent's work directory:
 *   downloads/<version>.tar.gz.part   a download in progress (removed on failure or restart)
 *   releases/<version>/               an unpacked, verified release (`.gantry-digest` inside says which tarball)
 *   current -> releases/<version>     the release running, switched atomically (symlink + rename)
 * Nothing is unpacked before its sha256 matches the artifact's digest. A new version of a tarball
 * already kept (a rollback is a new release of an old build) is made from the kept files.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const VERSION = /^r\d{1,9}$/;
const DIGEST_FILE = '.gantry-digest';
const CONFIG_DIR = '.gantry-config';
const CONFIG_PATH_PART = /^[A-Za-z0-9._-]+$/;

/** The tarball's digest differs from the artifact's: nothing was unpacked. */
export class DigestMismatch extends Error {}

export class ReleaseStore {
  constructor(private readonly dir: string) {}

  releaseDir(version: string): string {
    if (!VERSION.test(version)) throw new Error('bad release version');
    return join(this.dir, 'releases', version);
  }

  async init(): Promise<void> {
    await mkdir(join(this.dir, 'releases'), { recursive: true });
    await rm(join(this.dir, 'downloads'), { recursive: true, force: true });
    await mkdir(join(this.dir, 'downloads'), { recursive: true });
  }

  /** Whether `version` is unpacked from the tarball with `digest`. */
  async has(version: string, digest: string): Promise<boolean> {
    const stored = await readFile(join(this.releaseDir(version), DIGEST_FILE), 'utf8').catch(() => null);
    return stored?.trim() === digest;
  }

  /**
   * Downloads the tarball (bearer `token`), checks its sha256 against `digest`, unpacks it into
   * `releases/<version>/`. @throws DigestMismatch (nothing unpacked), or the download's error.
   */
  async fetch(version: string, url: string, digest: string, token: string): Promise<void> {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new DigestMismatch(`the artifact's digest is not a sha256 digest`);
    const part = join(this.dir, 'downloads', `${version}.tar.gz.part`);
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(300_000) });
      if (!res.ok || !res.body) throw new Error(`download of ${version} answered ${res.status}`);
      const hash = createHash('sha256');
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
      body.on('data', (chunk: Buffer) => hash.update(chunk));
      await pipeline(body, createWriteStream(part));
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest) throw new DigestMismatch(`tarball of ${version} has digest ${actual}, expected ${digest}: refused`);
      const target = this.releaseDir(version);
      const staging = `${target}.unpacking`;
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      await untar(part, staging);
      await writeFile(join(staging, DIGEST_FILE), `${digest}\n`);
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
    } finally {
      await rm(part, { force: true });
    }
  }

  /**
   * Makes `version` from a kept release unpacked from the tarball with `digest`: its files are
   * hard-linked into `releases/<version>/` (no download, no unpacking; the agent's own
   * `.gantry-*` files are written afresh, never shared). @returns the kept version used, null when none is.
   */
  async adopt(version: string, digest: string): Promise<string | null> {
    const target = this.releaseDir(version);
    for (const entry of await readdir(join(this.dir, 'releases'))) {
      if (entry === version || !VERSION.test(entry) || !(await this.has(entry, digest))) continue;
      const staging = `${target}.unpacking`;
      await rm(staging, { recursive: true, force: true });
      await linkTree(this.releaseDir(entry), staging);
      await writeFile(join(staging, DIGEST_FILE), `${digest}\n`);
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
      return entry;
    }
    return null;
  }

  /**
   * Writes the release's config files under `releases/<version>/.gantry-config/` (replacing what
   * was there) and @returns that directory. A path must be relative, of `[A-Za-z0-9._-]` parts,
   * none `.` or `..` (Gantry checks the same; the agent does not trust it to write elsewhere).
   * @throws Error naming the first path refused, before anything is written.
   */
  async writeConfigFiles(version: string, files: readonly { path: string; content: string }[]): Promise<string> {
    const refused = files.find((f) => f.path.length > 253 || !f.path.split('/').every((part) => CONFIG_PATH_PART.test(part) && part !== '.' && part !== '..'));
    if (refused) throw new Error(`refused a config file path outside the config directory (${refused.path.slice(0, 100)})`);
    const dir = join(this.releaseDir(version), CONFIG_DIR);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const file of files) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true, mode: 0o700 });
      await writeFile(join(dir, file.path), file.content, { mode: 0o600 });
    }
    return dir;
  }

  /** The version `current` points at, if any. */
  async current(): Promise<string | null> {
    const target = await readlink(join(this.dir, 'current')).catch(() => null);
    const version = target?.split('/').pop() ?? null;
    return version && VERSION.test(version) ? version : null;
  }

  /** Points `current` at `version` atomically (a new symlink renamed over the old one). */
  async switchCurrent(version: string): Promise<void> {
    const temporary = join(this.dir, `current.${process.pid}.tmp`);
    await rm(temporary, { force: true });
    await symlink(join('releases', version), temporary);
    await rename(temporary, join(this.dir, 'current'));
  }

  /** The newest kept release other than `current` (what an instant switch back would use); null if none. */
  async previous(current: string): Promise<string | null> {
    const kept = (await readdir(join(this.dir, 'releases'))).filter((entry) => VERSION.test(entry) && entry !== current);
    return kept.sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)))[0] ?? null;
  }

  /** Removes every release but `keep` (the current one and the one before, for an instant switch back). */
  async prune(keep: readonly (string | null)[]): Promise<void> {
    for (const entry of await readdir(join(this.dir, 'releases'))) {
      if (!keep.includes(entry)) await rm(join(this.dir, 'releases', entry), { recursive: true, force: true });
    }
  }
}

/** Recreates the tree `from` at `to` with hard links to its files, leaving out the agent's own files. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.gantry-')) continue;
    const [source, copy] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) await linkTree(source, copy);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), copy);
    else await link(source, copy);
  }
}

/** `tar -xzf` into `dir`, as the agent's user, without restoring owners. */
function untar(file: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-xzf', file, '-C', dir, '--no-same-owner', '--no-same-permissions'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()).slice(-2000));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed (${code}): ${stderr.slice(-300)}`))));
  });
}
