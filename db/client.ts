import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import type { Logger as DrizzleLogger } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { withConnectionRetry } from './connection-retry.ts';
import { QueryGate, withQueryGate } from './query-gate.ts';
import { lockPgliteDir } from './pglite-lock.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The drizzle handle every repository takes; the same type for PostgreSQL and PGlite. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; repositories accept either this or {@link Database}. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema> | Database;

export type DatabaseKind = 'postgres' | 'pglite';

/**
 * Who a statement is for: `request` for the statements of clients' requests and operations (the
 * context's handle: HTTP, WebSocket, subscription events), `background` for everything else
 * (workers, feeds, start-up). Two drizzle handles over one pool tell them apart exactly, with no
 * per-statement bookkeeping: which handle a statement goes through says who it is for.
 */
export type QueryOrigin = 'request' | 'background';

/** Request handles → the background handle of the same pool. */
const backgroundHandles = new WeakMap<Database, Database>();

/**
 * The background handle of `db`'s pool (`db` itself when it is one): for what a request hands
 * off to run after it, such as batched writes, which are not that request's statements.
 */
export function backgroundHandle(db: Database): Database {
  return backgroundHandles.get(db) ?? db;
}

export interface DatabaseHandle {
  /** The handle of background work (workers, feeds, start-up): its statements count as `background`. */
  db: Database;
  /** The same pool, for requests' contexts (GraphQL, the build webhook and tarballs): its statements count as `request`. */
  requestDb: Database;
  kind: DatabaseKind;
  /** The driver's own client, for the few things drizzle does not cover (locks, LISTEN). */
  raw: { kind: 'postgres'; sql: postgres.Sql; url: string } | { kind: 'pglite'; client: PGlite };
  /** Where the data lives, without credentials: for logs and /readyz. */
  location: string;
  /** Resolves when a trivial query succeeds; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; when absent, the embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; `memory://` keeps everything in memory. */
  dataDir: string;
  /** Called once per SQL statement, for the query counter metric. */
  onQuery?: (query: string, origin: QueryOrigin) => void;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** Called when a read or an uncommitted transaction is re-run after its connection died. */
  onConnectionRetry?: (what: 'read' | 'transaction', error: unknown) => void;
}

/**
 * Opens the database Gantry runs on: PostgreSQL via postgres.js when a URL is given,
 * otherwise PGlite persisted under `dataDir`. Both speak the same SQL and take the same migrations.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const loggerFor = (origin: QueryOrigin): { logger: DrizzleLogger } | Record<string, never> =>
    options.onQuery ? { logger: { logQuery: (query) => options.onQuery?.(query, origin) } } : {};
  if (options.url) {
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connection: { application_name: 'gantry' },
      // postgres.js fetches array types on every new connection from a promise nobody handles:
      // a connection killed during that fetch rejected it unhandled, which ended the process.
      // Gantry has no array columns or array parameters, so it needs no array types.
      fetch_types: false,
      // postgres.js' default backoff grows 3^n with the failures of every connection of the pool
      // (and of its LISTEN connection, which shares the count) up to 20 s per reconnect: after a
      // burst of killed connections the pool sat out whole seconds while the server was fine. A
      // control plane wants its connections back at once: at most 1 s between attempts.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2),
      // A connection attempt whose backend was killed during its start-up can go unanswered: give
      // up on it after 5 s (not 30) so the statement waiting for it is retried on another.
      connect_timeout: 5,
    });
    const gate = new QueryGate(options.maxConnections ?? 10);
    const retrying = withConnectionRetry(withQueryGate(client, gate), (what, error) => options.onConnectionRetry?.(what, error));
    const db = drizzlePostgres(retrying, { schema, ...loggerFor('background') }) as unknown as Database;
    const requestDb = drizzlePostgres(retrying, { schema, ...loggerFor('request') }) as unknown as Database;
    backgroundHandles.set(requestDb, db);
    const handle: DatabaseHandle = {
      db,
      requestDb,
      kind: 'postgres',
      raw: { kind: 'postgres', sql: client, url: options.url },
      location: redactUrl(options.url),
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
    await handle.ping();
    return handle;
  }
  let unlock = () => {};
  if (!options.dataDir.startsWith('memory://')) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockPgliteDir(options.dataDir);
  }
  let client: PGlite;
  try {
    // pg_trgm and btree_gin: the log store's substring index, searched by sequence windows
    // (migrations 0005 and 0014 create the extensions).
    client = await PGlite.create(options.dataDir, { extensions: { pg_trgm, btree_gin } });
  } catch (error) {
    unlock();
    throw error;
  }
  const db = drizzlePglite({ client, schema, ...loggerFor('background') }) as unknown as Database;
  const requestDb = drizzlePglite({ client, schema, ...loggerFor('request') }) as unknown as Database;
  backgroundHandles.set(requestDb, db);
  return {
    db,
    requestDb,
    kind: 'pglite',
    raw: { kind: 'pglite', client },
    location: options.dataDir,
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      if (!client.closed) await client.close();
      unlock();
    },
  };
}

/** Drops the password from a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/** Runs `fn` in a transaction; rows written there are visible to others only after it commits. */
export function inTransaction<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction((tx) => fn(tx));
}

export { sql };
