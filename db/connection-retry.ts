import type postgres from 'postgres';

/**
 * Errors that mean "the connection died", not "the statement was wrong": postgres.js' own codes,
 * socket errors, and the SQLSTATEs PostgreSQL sends before it drops a session
 * (57P01 admin_shutdown is what pg_terminate_backend sends).
 */
const CONNECTION_ERROR_CODES = new Set([
  'CONNECTION_CLOSED',
  // The statement never started: its connection did not come up in time.
  'CONNECT_TIMEOUT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

/** True when `error` (or an error it wraps, as drizzle does) says the connection was lost. */
export function isConnectionError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  }
  return false;
}

/** Plain reads: running one twice is harmless, so one that died with its connection is re-run. */
const READ = /^\s*select\b/i;

/**
 * The postgres.js client drizzle runs on, with one retry on a fresh connection when a query
 * failed because its connection died (a killed backend, a restarted server, a dropped socket):
 *
 * - a read outside a transaction is re-run;
 * - a transaction is re-run from BEGIN when the connection died before its callback finished,
 *   i.e. before COMMIT was sent, so nothing of it can have been committed. A failure during
 *   COMMIT is never retried: whether it committed is unknown.
 *
 * Writes outside a transaction are never retried (they may have committed). Everything else
 * passes through untouched.
 */
export function withConnectionRetry(client: postgres.Sql, onRetry: (what: 'read' | 'transaction', error: unknown) => void): postgres.Sql {
  const unsafe = (query: string, params?: unknown[], options?: unknown) => {
    const run = () => client.unsafe(query, params as never, options as never);
    if (!READ.test(query)) return run();
    // Promise.resolve: the statement below may be a bare thenable (the query gate's), not a Promise.
    const retried = <T>(attempt: () => PromiseLike<T>): Promise<T> =>
      Promise.resolve(attempt()).catch((error: unknown) => {
        if (!isConnectionError(error)) throw error;
        onRetry('read', error);
        return attempt();
      });
    // drizzle either awaits the pending query or calls .values() on it: support both, lazily.
    return {
      values: () => retried(() => run().values()),
      then: (resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) => retried(() => run()).then(resolve, reject),
    };
  };
  const begin = async (...args: unknown[]) => {
    const fn = args.pop() as (sql: postgres.TransactionSql) => unknown;
    for (let attempt = 1; ; attempt++) {
      let bodyFinished = false;
      try {
        return await (client.begin as (...a: unknown[]) => Promise<unknown>)(...args, async (sql: postgres.TransactionSql) => {
          const result = await fn(sql);
          bodyFinished = true;
          return result;
        });
      } catch (error) {
        if (attempt > 1 || bodyFinished || !isConnectionError(error)) throw error;
        onRetry('transaction', error);
      }
    }
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin') return begin;
      return Reflect.get(target, property, receiver);
    },
  });
}
