import { pino, type Logger } from 'pino';

/**
 * Keys whose values are credentials or caller-supplied payloads, wherever they appear in a log
 * object (top level or one level down): censored even if some code logs them by mistake.
 */
const SECRET_KEYS = ['authorization', 'cookie', 'set-cookie', 'token', 'password', 'secret', 'kubeconfig', 'variables', 'parameters', 'params'];
const SECRET = new Set(SECRET_KEYS);
/** Under a `headers` object one level down (`req.headers.authorization`), these are censored too. */
const SECRET_HEADERS = new Set(['authorization', 'cookie']);
const CENSORED = '[REDACTED]';

const isPlainRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);

/** `record` with the values under `secret` keys censored; the same object when it has none (never mutated). */
function censorKeys(record: Record<string, unknown>, secret: Set<string>, nested: (key: string, value: unknown) => unknown): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const value = record[key];
    const censored = secret.has(key) ? CENSORED : nested(key, value);
    if (censored !== value) (copy ??= { ...record })[key] = censored;
  }
  return copy ?? record;
}

/**
 * A log object with every value under a {@link SECRET_KEYS} key censored, at the top level or
 * one level down, and `authorization`/`cookie` under a `headers` object one level down (the
 * paths pino's `redact` was given before). pino's own redaction did the same at 33 µs a line,
 * against 2 µs for the line itself: 13 % of a core at 4,000 requests a second, each logging its
 * one line (bench/RESULTS.md); this walk looks at the keys present and copies only on a hit.
 * Errors are left to {@link serializeError}, which drops the same keys.
 */
export function censorSecrets(object: Record<string, unknown>): Record<string, unknown> {
  return censorKeys(object, SECRET, (_key, value) =>
    isPlainRecord(value)
      ? censorKeys(value, SECRET, (key, inner) => (key === 'headers' && isPlainRecord(inner) ? censorKeys(inner, SECRET_HEADERS, (_k, v) => v) : inner))
      : value,
  );
}

/** Properties never copied from an error into the log: request heads, SQL and its parameters, payloads. */
const ERROR_PROPERTIES_DROPPED = new Set([
  'rawPacket',
  'query',
  'params',
  'parameters',
  'args',
  'headers',
  'body',
  'variables',
  'detail',
  'where',
  'hint',
  'internal_query',
  'internalQuery',
  'request',
  'response',
  'config',
]);

interface DatabaseErrorLike {
  code?: unknown;
  severity?: unknown;
  query?: unknown;
  params?: unknown;
  parameters?: unknown;
  cause?: unknown;
}

/**
 * True for errors from the database or the query builder (postgres.js, PGlite, drizzle), or
 * errors caused by one. Their messages and properties can carry the statement's parameters
 * (drizzle: `Failed query: … params: …`; PostgreSQL: `invalid input syntax for type uuid: "…"`).
 */
export function isDatabaseError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const e = current as DatabaseErrorLike;
    if (typeof e.query === 'string' && ('params' in e || 'parameters' in e)) return true;
    if (typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return true;
    current = e.cause;
  }
  return false;
}

/** The stack's frames without its first lines, which repeat the message. */
function framesOf(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length > 0 ? frames.join('\n') : undefined;
}

/** A database error's message with anything quoted or after a colon (values) removed. */
function databaseMessage(error: Error): string {
  if (typeof (error as DatabaseErrorLike).query === 'string') return 'database query failed';
  return error.message.replace(/"[^"]*"/g, '"…"').replace(/: [\s\S]*$/, ': …');
}

/**
 * pino's `err` serializer, stricter than the standard one: own primitive properties only (SQLSTATE
 * code, constraint, table…), never the ones in {@link ERROR_PROPERTIES_DROPPED}; database errors
 * lose their message's values and the query; the stack keeps its frames; causes likewise.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === 'object' && error !== null ? { type: 'non-error object' } : { type: typeof error };
  const database = isDatabaseError(error);
  const out: Record<string, unknown> = {
    type: error.constructor?.name ?? error.name,
    message: database ? databaseMessage(error) : error.message,
  };
  for (const [key, value] of Object.entries(error)) {
    if (ERROR_PROPERTIES_DROPPED.has(key) || SECRET_KEYS.includes(key.toLowerCase()) || key === 'cause') continue;
    if (['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  }
  const frames = framesOf(error.stack);
  if (frames) out.stack = frames;
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** How long a log line may wait in the buffer of {@link bufferedStdout}. */
const FLUSH_EVERY_MS = 200;

/**
 * Standard output, written in blocks of up to 4 KiB (and at least every 200 ms, at once for a
 * warning or worse, and at exit, synchronously, as pino does for its own asynchronous
 * destinations), not one write(2) per line: with an access line per request, the writes were
 * 4% of a busy server's CPU.
 */
function bufferedStdout(): pino.DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => {
    // Only with lines waiting (sonic-boom would write an empty block); during a write it waits itself.
    const waiting = (stream as unknown as { _len?: number })._len;
    if (waiting === undefined || waiting > 0) stream.flush();
  }, FLUSH_EVERY_MS).unref();
  return stream;
}

/** JSON lines on stdout (or `destination`); one field set per line so log stores can index them. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'gantry' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), log: censorSecrets },
    serializers: { err: serializeError },
  };
  const stream = destination ?? bufferedStdout();
  if (!destination) {
    // Warnings and errors go out at once: an operator (or a supervisor reading the output)
    // should not wait up to 200 ms for the line that says why.
    options.hooks = {
      logMethod(args, method, level) {
        method.apply(this, args);
        if (level >= 40) (stream as { flush?: () => void }).flush?.();
      },
    };
  }
  const logger = pino(options, stream);
  // pino gives a child's bindings to no formatter; children inherit from their parent
  // (Object.create), so this one override censors the bindings of every descendant.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, censorSecrets(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
