import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
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
