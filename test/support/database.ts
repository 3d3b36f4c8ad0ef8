import { randomBytes } from 'node:crypto';
import { cpSync, existsSync } from 'node:fs';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../db/client.ts';

/** Which database the suite runs on: set per vitest project (see vitest.config.ts). */
export const TEST_DB: 'postgres' | 'pglite' = process.env.GANTRY_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

/** The server the PostgreSQL project creates its throwaway databases on. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh PostgreSQL database, empty or a copy of `template` (a database name provided by
 * test/support/database-templates.ts, already migrated); `drop()` removes it.
 */
export async function createPostgresDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gantry_test_${randomBytes(6).toString('hex')}`;
  if (template !== undefined && !/^gantry_test_[0-9a-f]+$/.test(template)) throw new Error(`not a template database name: ${template}`);
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(template ? `create database ${name} template ${template}` : `create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const sql = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/**
 * A fresh database of the suite's kind, opened as Gantry opens one (not migrated): a throwaway
 * PostgreSQL database, or PGlite in memory. `close()` closes it and drops the PostgreSQL one.
 */
export async function openTestDatabase(): Promise<{ handle: DatabaseHandle; close(): Promise<void> }> {
  const database = TEST_DB === 'postgres' ? await createPostgresDatabase() : null;
  const handle = await openDatabase(database ? { url: database.url, dataDir: 'memory://' } : { dataDir: 'memory://' });
  return {
    handle,
    close: async () => {
      await handle.close();
      await database?.drop();
    },
  };
}

/**
 * Copies the migrated PGlite data directory `template` to `dataDir` (which must not exist yet),
 * so a server opening it skips initdb and the migrations. The copy is the template's own files:
 * PGlite keeps no absolute paths in them.
 */
export function copyPgliteTemplate(template: string, dataDir: string): void {
  if (existsSync(dataDir)) throw new Error(`${dataDir} exists already: a template copy would overwrite it`);
  cpSync(template, dataDir, { recursive: true });
}
