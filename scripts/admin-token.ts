/**
 * `npm run admin-token`: mints a new API token for the platform admin `admin` and prints only
 * the token on stdout, so `export GANTRY_ADMIN_TOKEN=$(npm run -s admin-token)` works. Uses the
 * same database as the server (DATABASE_URL, or the embedded PGlite under GANTRY_DATA_DIR /
 * GANTRY_PGLITE_DIR); on PGlite it refuses to run while a server holds the directory.
 */
import { openDatabase } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { DatabaseInUseError } from '../db/pglite-lock.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { mintAdminToken } from '../services/identity/admin-token.ts';
import { systemClock } from '../services/shared/clock.ts';

try {
  const config = loadConfig(process.env);
  const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.pgliteDir });
  try {
    // A database that was never started has no tables yet; the server would apply the same migrations.
    await runMigrations(handle);
    const token = await mintAdminToken(handle.db, systemClock);
    process.stdout.write(`${token}\n`);
    console.error(`admin-token: minted a new token for "admin" in ${handle.location}; it is shown only this once`);
  } finally {
    await handle.close();
  }
} catch (error) {
  const known = error instanceof ConfigError || error instanceof DatabaseInUseError;
  console.error(`admin-token: ${known ? (error as Error).message : 'failed: ' + String((error as Error)?.message ?? error)}`);
  process.exitCode = 1;
}
