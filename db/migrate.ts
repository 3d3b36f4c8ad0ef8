import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { DatabaseHandle } from './client.ts';

/** The folder drizzle-kit writes to; the same files run on PostgreSQL and PGlite. */
export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/** Arbitrary constant: serialises concurrent Gantry processes migrating one PostgreSQL database. */
const MIGRATION_LOCK_KEY = 0x6a6e7472;

/**
 * Applies every migration not yet applied. On PostgreSQL an advisory lock makes concurrent
 * starts of several Gantry processes safe: the second waits, then finds nothing to do.
 */
export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (handle.raw.kind === 'pglite') {
    await migratePglite(handle.db as unknown as PgliteDatabase<Record<string, never>>, config);
    return;
  }
  // drizzle's migrator opens its own transaction, so lock at session level on a connection of its own.
  const conn = postgres(handle.raw.url, { max: 1, onnotice: () => {} });
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(conn), config);
  } finally {
    await conn.end({ timeout: 5 });
  }
}

/** Number of migrations shipped with this build (from drizzle-kit's journal). */
export function expectedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** True when every shipped migration is recorded as applied: /readyz uses it. */
export async function migrationsApplied(handle: DatabaseHandle): Promise<boolean> {
  try {
    const result = await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
    return (rows[0]?.n ?? 0) >= expectedMigrationCount();
  } catch {
    return false;
  }
}
