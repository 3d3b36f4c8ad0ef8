/**
 * `npm run build`: compiles the server to `dist/` (tsc with tsconfig.build.json, `.ts` imports
 * rewritten to `.js`), then copies the files read at run time next to the code that reads them:
 * `schema/*.graphql` (server/graphql.ts) and `migrations/` (db/migrate.ts), both found relative
 * to the module's own folder, so `dist/server/…` finds `dist/schema` and `dist/migrations`.
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
for (const folder of ['schema', 'migrations']) {
  cpSync(join(ROOT, folder), join(DIST, folder), { recursive: true });
}
console.log(`build: ${DIST} is ready; start it with: node dist/server/main.js`);
