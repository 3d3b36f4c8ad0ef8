/**
 * vitest globalSetup (see vitest.config.ts): migrates one template database per run, which every
 * test server then copies instead of building its own. Creating a PGlite data directory runs
 * PostgreSQL's initdb in WebAssembly, and migrating a fresh PostgreSQL database runs every
 * migration: seconds per test file, times some 140 files. A copy is the same bytes the migrations
 * wrote, and each server still runs the migrator at start (it finds nothing to do), so a
 * migration that stopped applying would still fail every file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { createPostgresDatabase } from './database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory to copy (pglite project). */
    pgliteTemplateDir: string;
    /** A migrated PostgreSQL database to create test databases from (postgres project). */
    postgresTemplateDatabase: string;
  }
}

/** Builds the template of the project's database kind; returns the teardown that removes it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (project.config.env.GANTRY_TEST_DB === 'postgres') {
    const template = await createPostgresDatabase();
    const handle = await openDatabase({ url: template.url, dataDir: 'memory://', maxConnections: 1 });
    try {
      await runMigrations(handle);
    } finally {
      await handle.close();
    }
    project.provide('postgresTemplateDatabase', new URL(template.url).pathname.slice(1));
    return () => template.drop();
  }
  const root = mkdtempSync(join(tmpdir(), 'gantry-template-'));
  const dataDir = join(root, 'pgdata');
  // Closing releases the directory's lock file, so copies start unlocked.
  const handle = await openDatabase({ dataDir });
  try {
    await runMigrations(handle);
  } finally {
    await handle.close();
  }
  project.provide('pgliteTemplateDir', dataDir);
  return async () => rmSync(root, { recursive: true, force: true });
}
