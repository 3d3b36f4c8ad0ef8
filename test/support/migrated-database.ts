/**
 * Migrated databases for the Gantry servers and processes under test, copied from the run's
 * templates (test/support/database-templates.ts). A server still runs the migrator at start and
 * finds nothing to do; migrations from an empty database are what the templates themselves, the
 * README session, the build test and the multiprocess tests (several processes, one empty
 * PostgreSQL database) go through.
 */
import { join } from 'node:path';
import { inject } from 'vitest';
import { copyPgliteTemplate, createPostgresDatabase, TEST_DB } from './database.ts';

/** A new PostgreSQL database with every migration applied; `drop()` removes it. */
export function aMigratedPostgresDatabase(): ReturnType<typeof createPostgresDatabase> {
  return createPostgresDatabase(inject('postgresTemplateDatabase'));
}

/** Fills `pgliteDir` (which must not exist) with a migrated PGlite data directory. */
export function aMigratedPgliteDir(pgliteDir: string): void {
  const template = inject('pgliteTemplateDir');
  // Absent only when the pglite project did not run its global setup: the server then migrates.
  if (template) copyPgliteTemplate(template, pgliteDir);
}

/**
 * The migrated database of a Gantry process whose GANTRY_DATA_DIR is `dataDir`, per GANTRY_TEST_DB:
 * a PostgreSQL database (pass its `url` as DATABASE_URL, drop it afterwards), or null once
 * `<dataDir>/pgdata` (PGlite's default place) holds a migrated copy.
 */
export async function aMigratedDatabase(dataDir: string): Promise<Awaited<ReturnType<typeof createPostgresDatabase>> | null> {
  if (TEST_DB === 'postgres') return aMigratedPostgresDatabase();
  aMigratedPgliteDir(join(dataDir, 'pgdata'));
  return null;
}
