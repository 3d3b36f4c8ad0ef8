/**
 * `npm run build`: compiles the server to `dist/` (tsc with tsconfig.build.json, `.ts` imports
 * rewritten to `.js`), builds the web console (console/dist) unless it is a build of the current
 * sources (a build under way in parallel, e.g. by tests, is waited for, not replaced), then copies the
 * files read at run time next to the code that reads them: `schema/*.graphql`
 * (server/graphql.ts), `migrations/` (db/migrate.ts) and the console build (server/console.ts),
 * all found relative to the module's own folder, so `dist/server/…` finds `dist/schema`,
 * `dist/migrations` and `dist/console/dist`.
 * Start the result with `npm run start:prod` (`node dist/server/main.js`).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

rmSync(DIST, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error(`build: tsc failed (exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}
const consoleBuild = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-console.ts'), '--if-stale'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (consoleBuild.status !== 0) {
  console.error(`build: the console build failed (exit ${consoleBuild.status ?? consoleBuild.signal})`);
  process.exit(1);
}
for (const folder of ['schema', 'migrations']) {
  cpSync(join(ROOT, folder), join(DIST, folder), { recursive: true });
}
// The built console only: its sources and the build's manifest stay behind.
cpSync(join(ROOT, 'console', 'dist'), join(DIST, 'console', 'dist'), { recursive: true, filter: (path) => !path.includes('.vite') && !path.endsWith('.sources-digest') });
console.log(`build: ${DIST} is ready; start it with: node dist/server/main.js`);
