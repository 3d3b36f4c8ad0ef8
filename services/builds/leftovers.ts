import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { StorageDriver } from './image-cache.ts';
import { killProcessesUnder, runProcess } from './process.ts';
import { Buildah } from './tools.ts';

/**
 * What a Gantry process that died (SIGKILL, OOM, a lost node) leaves of its builds: buildah and
 * git processes (each build's tools run in a process group of their own, and buildah's chroot
 * children in a session of their own, so none dies with Gantry), buildah containers in the
 * build's storage, and the workspace. Each build records its host and workspace when it starts
 * (`builds.workspace_host`/`workspace_dir`); whoever takes the build over ends them here when it
 * runs on the same host, and every process sweeps its own workspaces when it starts (for a
 * process restarted on its data dir, or another host's builds once their Gantry comes back).
 */

/** This machine, as recorded in `builds.workspace_host`. */
export const WORKSPACE_HOST = hostname();

/** The buildah of a build's workspace: its own `--root` and `--runroot` (pipeline.ts uses the same). */
export function workspaceBuildah(workDir: string, insecure: boolean, driver: StorageDriver, storageOptions: string[] = []): Buildah {
  return new Buildah({ root: join(workDir, 'storage'), runroot: join(workDir, 'run'), insecure, driver, storageOptions });
}

/**
 * Unmounts whatever is still mounted under `dir`, deepest first and lazily, so the directory can
 * be removed: overlay layers of containers a dead build left mounted, and the private bind mount
 * the overlay driver puts on a storage's `overlay` directory (it outlives buildah). @returns how many.
 */
export async function unmountUnder(dir: string): Promise<number> {
  const table = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  // Field 5 is the mount point, with spaces and the like octal-escaped.
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point): point is string => !!point && (point === dir || point.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await runProcess('umount', ['-l', '--', point]);
  return points.length;
}

/**
 * Ends everything a build left in `workDir`: its processes (by root, working directory or a path
 * in their command line), its buildah containers (`buildah rm --all`), then the directory.
 * @returns how many processes were killed.
 */
export async function cleanUpWorkspace(workDir: string): Promise<number> {
  let killed = await killProcessesUnder(workDir);
  if (existsSync(join(workDir, 'storage'))) {
    // The driver the storage was made with: its layers live in a directory named after it.
    const driver: StorageDriver = existsSync(join(workDir, 'storage', 'overlay')) ? 'overlay' : 'vfs';
    await workspaceBuildah(workDir, true, driver).removeAll();
    // buildah rm may have been raced by a child still starting: a second look costs a /proc scan.
    killed += await killProcessesUnder(workDir);
  }
  await unmountUnder(workDir);
  await rm(workDir, { recursive: true, force: true }).catch(() => {});
  return killed;
}

/**
 * At start: cleans every workspace under `<dataDir>/builds/work` (nothing runs there yet, so all
 * of them are leftovers of an earlier life of this data dir).
 */
export async function sweepWorkspaces(dataDir: string, logger: Logger): Promise<void> {
  const root = join(dataDir, 'builds', 'work');
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const killed = await cleanUpWorkspace(join(root, entry));
    logger.warn({ build: entry, killed }, 'removed the workspace of a build this data dir ran before a crash');
  }
}
