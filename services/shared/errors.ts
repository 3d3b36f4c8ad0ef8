/** The closed set of error codes of the API contract; every failure maps to exactly one. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'STALE_STEP',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A failure the caller can act on. Services throw these; one place (server/errors.ts) turns
 * them into GraphQL errors. Anything else that is thrown is treated as an internal error.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields for `extensions`, e.g. `field` for BAD_USER_INPUT. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The caller presented no valid credentials. */
export const unauthenticated = (message = 'Authentication required: send Authorization: Bearer <token>') =>
  new DomainError('UNAUTHENTICATED', message);

/** Authenticated, but the role does not allow it. */
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);

/** Missing, or invisible to the caller: deliberately the same answer. */
/** A dependency (the database) failed; the message is masked in production like any internal error. */
export const unavailable = (what: string) => new DomainError('INTERNAL_SERVER_ERROR', `${what} is unavailable; retry`);

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);

/** An invalid argument; `field` is the input path, e.g. `input.name`. */
export const badInput = (field: string, message: string) =>
  new DomainError('BAD_USER_INPUT', message, { field });

export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError('CONFLICT', message, details);

/** True when a database error is a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = findPgError(error);
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint || (e.constraint_name ?? '') === constraint);
}

interface PgErrorLike {
  code?: string;
  constraint?: string;
  constraint_name?: string;
}

/** postgres.js and PGlite put SQLSTATE on the error (or on its `cause` when drizzle wraps it). */
function findPgError(error: unknown): PgErrorLike | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const e = current as PgErrorLike & { cause?: unknown };
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e;
    current = e.cause;
  }
  return undefined;
}
