import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, LOCK_FILE, lockPgliteDir } from '../../db/pglite-lock.ts';

/** A pid no process has: above Linux's pid_max ceiling (2^22). */
const DEAD_PID = 4_194_999;

describe('the PGlite directory lock', () => {
  const dirs: string[] = [];
  const aDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is held with our pid, refused to a second opener, and gone once released', () => {
    const dir = aDir();
    const release = lockPgliteDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockPgliteDir(dir)).toThrow(DatabaseInUseError);
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockPgliteDir(dir)();
  });

  it('refuses a directory a live process holds, naming it', () => {
    const dir = aDir();
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    expect(() => lockPgliteDir(dir)).toThrow(`in use by another Gantry process (pid ${process.ppid})`);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.ppid));
  });

  it('takes over a lock left by a process that died', () => {
    const dir = aDir();
    writeFileSync(join(dir, LOCK_FILE), `${DEAD_PID}\n`);
    const release = lockPgliteDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
