/**
 * Builds the web console (console/, Vite) into console/dist. `npm run build:console` always builds;
 * `--if-stale` (what `npm start` runs first) builds only when console/dist is missing or was built
 * from other sources: a digest of console/ (without dist) and package-lock.json is kept beside the
 * build and compared. Concurrent callers (test files) take a lock and build once.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONSOLE = join(ROOT, 'console');
export const CONSOLE_BUILD = join(CONSOLE, 'dist');
const STAMP = join(CONSOLE_BUILD, '.sources-digest');
const LOCK = join(CONSOLE, '.build-lock');

/** Every file the build reads from the project, in a stable order. */
function sources(dir: string = CONSOLE): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (path === CONSOLE_BUILD || path === LOCK || entry.name === 'node_modules') continue;
    if (entry.isDirectory()) files.push(...sources(path));
    else files.push(path);
  }
  return files;
}

/** The digest of the console's sources and the locked dependency versions. */
export function sourcesDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...sources(), join(ROOT, 'package-lock.json')]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** True when console/dist holds a complete build of the current sources. */
export function consoleBuildFresh(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === sourcesDigest() && existsSync(join(CONSOLE_BUILD, 'index.html'));
}

/** Runs `vite build`; throws with its output when it fails. */
function viteBuild(): void {
  // The digest of what the build read: a source edited while it runs leaves the build stale.
  const digest = sourcesDigest();
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const run = spawnSync(process.execPath, [vite, 'build', '--config', join(CONSOLE, 'vite.config.ts')], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vite build failed (exit ${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
  writeFileSync(STAMP, digest);
}

function lockHeldByLiveProcess(): boolean {
  try {
    process.kill(Number(readFileSync(join(LOCK, 'pid'), 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the console unless console/dist is a build of the current sources. With several callers
 * at once (test files in parallel), one builds and the others wait for it.
 * @returns true when this call built it.
 */
export async function ensureConsoleBuilt(): Promise<boolean> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (consoleBuildFresh()) return false;
    try {
      mkdirSync(LOCK);
    } catch {
      // A lock left by a killed build is taken over; a live one is waited for.
      if (!lockHeldByLiveProcess() && Date.now() - statSync(LOCK).mtimeMs > 2_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`console build lock ${LOCK} held for 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      if (consoleBuildFresh()) return false;
      viteBuild();
      return true;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

interface ManifestChunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

/** Gzipped bytes of the JavaScript a page loads before it runs: its entry and the static imports. */
export function entryScriptBytes(entry: 'index.html' | 'graphiql.html'): { files: string[]; gzipBytes: number } {
  const manifest = JSON.parse(readFileSync(join(CONSOLE_BUILD, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entry);
  const gzipBytes = [...files].reduce((sum, file) => sum + gzipSync(readFileSync(join(CONSOLE_BUILD, file)), { level: 9 }).length, 0);
  return { files: [...files], gzipBytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifStale = process.argv.includes('--if-stale');
  try {
    if (ifStale) {
      if (await ensureConsoleBuilt()) console.log('console: built console/dist (its sources changed)');
    } else {
      viteBuild();
      const shell = entryScriptBytes('index.html');
      console.log(`console: built ${relative(ROOT, CONSOLE_BUILD)}; console JavaScript ${(shell.gzipBytes / 1024).toFixed(1)} KB gzipped`);
    }
  } catch (error) {
    console.error(`console: ${(error as Error).message}`);
    process.exit(1);
  }
}
