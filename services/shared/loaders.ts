import DataLoader from 'dataloader';

/**
 * A DataLoader that fetches rows by a unique key with one statement per batch and answers
 * null for keys with no row.
 */
export function uniqueLoader<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map(rows.map((row) => [keyOf(row), row] as const));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** A DataLoader that fetches every row belonging to each key (one-to-many), order kept. */
export function groupLoader<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const rows = await fetch(keys);
    const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** The loaders of one read per column set (see {@link perColumnSet}). */
export interface ColumnSetLoaders<C extends string, K, V> {
  (columns: readonly C[]): DataLoader<K, V>;
  /** Forgets `key` in every column set's loader: a write changed what it reads. */
  clear(key: K): void;
}

/**
 * Loaders of one read, one per column set (see services/apps/columns.ts), made on first use:
 * rows of different column sets must not share a cache, or a field would meet a row read for
 * another selection without its column.
 */
export function perColumnSet<C extends string, K, V>(make: (columns: readonly C[]) => DataLoader<K, V>): ColumnSetLoaders<C, K, V> {
  let made: Map<string, DataLoader<K, V>> | undefined;
  // Column sets are memoised per field node (services/apps/columns.ts): the 40 environments of a
  // dashboard ask with the same array, so the last one answers without joining it into a key.
  let lastColumns: readonly C[] | undefined;
  let lastLoader: DataLoader<K, V> | undefined;
  const loaders = (columns: readonly C[]) => {
    if (columns === lastColumns) return lastLoader!;
    made ??= new Map();
    const key = columns.join(',');
    let loader = made.get(key);
    if (loader === undefined) made.set(key, (loader = make(columns)));
    lastColumns = columns;
    lastLoader = loader;
    return loader;
  };
  return Object.assign(loaders, {
    clear: (key: K) => {
      for (const loader of made?.values() ?? []) loader.clear(key);
    },
  });
}
