/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded PGlite. */
import { loadConfig } from '../server/config.ts';
import { openDatabase } from './client.ts';
import { runMigrations } from './migrate.ts';

const config = loadConfig(process.env);
const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.pgliteDir });
try {
  await runMigrations(handle);
  console.log(`migrations applied to ${handle.location}`);
} finally {
  await handle.close();
}
