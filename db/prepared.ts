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
