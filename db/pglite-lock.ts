import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite has no locking of its own: two processes on one data directory both open it, each
 * keeps its own copy of the pages in memory, and whichever writes last silently wins (tried:
 * rows inserted by one were never seen by the other). So every Gantry process that opens a
 * PGlite directory (the server, `npm run db:migrate`, `npm run admin-token`) first takes this
 * lock file inside it, and refuses to open the directory while a live process holds it.
 */
export const LOCK_FILE = 'gantry.lock';

/** Thrown when another live process holds the directory; the message says what to do. */
export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database ${dataDir} is in use by another Gantry process (pid ${pid}); ` +
        'PGlite serves one process at a time: stop that process first (or use DATABASE_URL)',
    );
  }
}

/** Directories locked by this process: a lock naming our own pid that is not here is stale (pid reused after a restart). */
const held = new Set<string>();

/**
 * Takes the lock of a PGlite directory (which must exist).
 * @returns a function that releases it.
 * @throws DatabaseInUseError when a live process (or this one) already holds it.
 */
export function lockPgliteDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  if (held.has(path)) throw new DatabaseInUseError(dataDir, process.pid);
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = lockOwner(path);
      const live = owner !== null && owner !== process.pid && isAlive(owner);
      // A second EEXIST means another process took the lock between our removal and retry.
      if (live || attempt > 0) throw new DatabaseInUseError(dataDir, owner ?? 0);
      // Left behind by a process that died without cleaning up: take it over.
      rmSync(path, { force: true });
    }
  }
  held.add(path);
  return () => {
    if (!held.delete(path)) return;
    if (lockOwner(path) === process.pid) rmSync(path, { force: true });
  };
}

function lockOwner(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means the directory is in use.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A process that exits without closing its database (process.exit, an uncaught error) should
// not leave a lock behind for the next start to puzzle over.
process.once('exit', () => {
  for (const path of held) {
    if (lockOwner(path) === process.pid) rmSync(path, { force: true });
  }
});
