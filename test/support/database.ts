import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../db/client.ts';

/** Which database the suite runs on: set per vitest project (see vitest.config.ts). */
export const TEST_DB: 'postgres' | 'pglite' = process.env.GANTRY_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

/** The server the PostgreSQL project creates its throwaway databases on. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty PostgreSQL database; `drop()` removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gantry_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
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
