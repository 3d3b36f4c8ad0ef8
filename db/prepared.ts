import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Database } from './client.ts';

/**
 * Statements built once per database and prepared, for the reads every request makes (the
 * DataLoaders' batches). drizzle otherwise rebuilds a statement's SQL from its query builder on
 * every call (a quarter of a dashboard request's CPU), and postgres.js sends drizzle's
 * statements unnamed, so PostgreSQL parses and plans each one again; a prepared one is parsed
 * once per connection.
 *
 * A batch's keys go in one parameter (see {@link anyKey}), so the statement's text does not
 * depend on how many keys a batch has.
 * @returns a function giving `build`'s statements for a database, built on its first call.
 */
export function preparedStatements<T>(build: (db: Database) => T): (db: Database) => T {
  const built = new WeakMap<Database, T>();
  return (db) => {
    let statements = built.get(db);
    if (statements === undefined) built.set(db, (statements = build(db)));
    return statements;
  };
}

/** `column = any($keys::type[])`: matches any key of the array passed as placeholder `keys` (see {@link keyArray}). */
export function anyKey(column: AnyColumn, type: 'uuid' | 'text', placeholder = 'keys'): SQL {
  return sql`${column} = any(${sql.placeholder(placeholder)}::${sql.raw(type)}[])`;
}

/**
 * Keys as one PostgreSQL array literal (`{"a","b"}`), every element quoted and escaped, for a
 * placeholder of {@link anyKey}. Works the same on postgres.js and PGlite, which pass text
 * parameters through untouched.
 */
export function keyArray(keys: readonly string[]): string {
  return `{${keys.map((key) => `"${key.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** Most column sets one narrowed read prepares per database; past it, whole-row reads. */
const MAX_COLUMN_SETS = 32;

/**
 * Like {@link preparedStatements}, for a read whose columns follow the query's selection (see
 * services/shared/selection.ts): one statement per database and column set, built on first use.
 * Column sets come from the schema's fields, so there are few; a bound keeps it so.
 * @returns the statement for `columns`, or null past the bound (the caller reads whole rows).
 */
export function preparedPerColumns<C extends string, T>(build: (db: Database, columns: readonly C[]) => T): (db: Database, columns: readonly C[]) => T | null {
  const perDb = preparedStatements(() => new Map<string, T>());
  return (db, columns) => {
    const statements = perDb(db);
    const key = columns.join(',');
    let statement = statements.get(key);
    if (statement === undefined) {
      if (statements.size >= MAX_COLUMN_SETS) return null;
      statements.set(key, (statement = build(db, columns)));
    }
    return statement;
  };
}

/** The columns of `table` named in `columns`, as a drizzle selection. */
export function pickColumns<Table extends { [K in C]: PgColumn }, C extends string>(table: Table, columns: readonly C[]): Record<string, PgColumn> {
  return Object.fromEntries(columns.map((column) => [column, table[column]]));
}

/** Column types whose values both drivers hand over exactly as drizzle would map them. */
const PLAIN_COLUMN_TYPES = new Set(['PgText', 'PgUUID', 'PgInteger', 'PgSmallInt', 'PgBoolean', 'PgVarchar']);

/**
 * The columns of `table` named in `columns`, each aliased to its field name, when every one is
 * of a plain type (text, uuid, integers, booleans): a statement selecting these, run with
 * `.all()`, gives the driver's rows as they are, already keyed by field, with no per-row mapping
 * by drizzle (its mapResultRow and its `is()` checks were 5% of a dashboard request's CPU).
 * Null when a column needs drizzle's decoding (timestamps, JSON, bigints): use {@link pickColumns}.
 */
export function plainColumns<Table extends { [K in C]: PgColumn }, C extends string>(table: Table, columns: readonly C[]): Record<string, SQL.Aliased> | null {
  if (!columns.every((column) => PLAIN_COLUMN_TYPES.has(table[column].columnType))) return null;
  return Object.fromEntries(columns.map((column) => [column, sql`${table[column]}`.as(column)]));
}

/** A prepared read of some columns (see {@link preparedPerColumns}), run as plainly as its columns allow. */
export interface ColumnsRead<R> {
  run(placeholders: Record<string, unknown>): Promise<R[]>;
}

/**
 * The read `prepare` builds for `columns` of `table`: with {@link plainColumns} and `.all()` when
 * they are all plain, else with {@link pickColumns} and drizzle's mapping.
 */
export function columnsRead<Table extends { [K in C]: PgColumn }, C extends string, R>(
  table: Table,
  columns: readonly C[],
  prepare: (selection: Record<string, PgColumn | SQL.Aliased>) => { execute(p: Record<string, unknown>): Promise<unknown> },
): ColumnsRead<R> {
  const plain = plainColumns(table, columns);
  if (plain) {
    // `all()`: the driver's rows without drizzle's mapping; on both postgres.js and PGlite (not in drizzle's public types).
    const statement = prepare(plain) as unknown as { all(p: Record<string, unknown>): Promise<unknown> };
    return { run: (placeholders) => statement.all(placeholders) as Promise<R[]> };
  }
  const statement = prepare(pickColumns(table, columns));
  return { run: (placeholders) => statement.execute(placeholders) as Promise<R[]> };
}
