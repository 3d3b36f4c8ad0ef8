import type { Duplex } from 'node:stream';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError, ERROR_CODES, type ErrorCode } from '../services/shared/errors.ts';
import { withoutEchoedValues, withoutSuggestions } from './client-messages.ts';
import { isDatabaseError } from './logger.ts';

/** Codes produced by Apollo or graphql-js, translated into the contract's closed set. */
const FOREIGN_CODES: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_USER_INPUT',
};

/** HTTP status to use when a DomainError escapes before execution (context creation). */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401 };

/** Turns a DomainError into the GraphQLError clients see. */
export function toGraphQLError(error: DomainError): GraphQLError {
  const status = HTTP_STATUS[error.code];
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...error.details, ...(status ? { http: { status } } : {}) },
  });
}

function isContractCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * The message of the error a request error wraps, when the request error's message ends with it:
 * for variable coercion it separates the echoed value from graphql-js' reason.
 */
function wrappedReason(error: unknown, message: string): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    current = current instanceof GraphQLError ? current.originalError : undefined;
    if (current instanceof Error && current.message !== message && message.endsWith(`; ${current.message}`)) return current.message;
  }
  return undefined;
}

/**
 * Stands for the request id in an internal error's message where the formatter runs without
 * it (Apollo's `formatError` gets no context); {@link withRequestId} puts the id in its place.
 */
const PENDING_REQUEST_ID = '\u0000request-id\u0000';

/**
 * The errors of one response, each with the request's id in `extensions.requestId` (and in an
 * internal error's message): stamped where the response is written, which knows the request,
 * rather than carried to the formatter in an AsyncLocalStorage, whose promise hooks cost every
 * request a few percent of its CPU (bench/RESULTS.md).
 */
export function withRequestId(errors: readonly GraphQLFormattedError[], requestId: string): GraphQLFormattedError[] {
  return errors.map((error) => ({
    ...error,
    message: error.message.includes(PENDING_REQUEST_ID) ? error.message.replaceAll(PENDING_REQUEST_ID, requestId) : error.message,
    extensions: { ...error.extensions, requestId },
  }));
}

export interface ErrorFormatterOptions {
  production: boolean;
  /** Strip graphql-js' "Did you mean …?" hints (when introspection is off they reveal the schema). */
  hideSuggestions: boolean;
  onInternal: (error: unknown) => void;
}

/**
 * The single place where errors become what clients see, over HTTP and WebSocket. Domain errors
 * keep their message; graphql-js/Apollo errors are mapped into the contract's codes, and their
 * messages lose any value the caller sent (see client-messages.ts); anything else is internal,
 * and in production its message is replaced by the request id so details never leak. Database
 * errors are masked everywhere: drizzle puts the statement's parameters in their message.
 */
export function createErrorFormatter(options: ErrorFormatterOptions) {
  /**
   * `requestId`: given by callers that know it (WebSocket), null when there is none; left out by
   * Apollo, whose responses get it from {@link withRequestId}.
   */
  return (formatted: GraphQLFormattedError, error: unknown, requestId?: string | null): GraphQLFormattedError => {
    let original: unknown = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    // graphql-js wraps coercion errors twice (GraphQLError in GraphQLError); look through to a DomainError.
    while (original instanceof GraphQLError && original.originalError && original !== error) original = original.originalError;
    const { stacktrace: _stack, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    if (original instanceof DomainError) {
      return {
        ...formatted,
        message: original.message,
        extensions: { ...extensions, code: original.code, ...original.details, ...(requestId ? { requestId } : {}) },
      };
    }
    const rawCode = extensions.code;
    // graphql-js' own request errors (variable coercion, validation) have neither an original
    // error nor a path: the request was wrong, not the server. Apollo tags them; graphql-ws does not.
    const requestError =
      error instanceof GraphQLError &&
      !error.path &&
      rawCode === undefined &&
      (!error.originalError || error.originalError instanceof GraphQLError);
    const mapped = isContractCode(rawCode) ? rawCode : (FOREIGN_CODES[String(rawCode)] ?? (requestError ? 'BAD_USER_INPUT' : undefined));
    if (mapped && mapped !== 'INTERNAL_SERVER_ERROR') {
      let message = withoutEchoedValues(formatted.message, wrappedReason(error, formatted.message));
      if (options.hideSuggestions) message = withoutSuggestions(message);
      return { ...formatted, message, extensions: { ...extensions, code: mapped, ...(requestId ? { requestId } : {}) } };
    }
    options.onInternal(original);
    const message =
      options.production || isDatabaseError(original)
        ? `Internal server error; quote request id ${requestId === undefined ? PENDING_REQUEST_ID : (requestId ?? 'unknown')} when reporting it`
        : formatted.message;
    return {
      message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
    };
  };
}

/** What Node's HTTP parser rejected, as a status; the rest is 400. */
const CLIENT_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/**
 * `clientError` handler for the HTTP server: a request Node's parser refused (a header value
 * with a forbidden character, an oversized head…) gets a GraphQL-shaped 400 and one log line
 * with the parser's error code. The error's `rawPacket` holds the request head, Authorization
 * included, so neither it nor the message is logged or echoed.
 */
export function createClientErrorHandler(logger: Logger) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    const code = typeof error.code === 'string' ? error.code : 'unknown';
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = CLIENT_ERROR_STATUS[code] ?? 400;
    logger.warn({ reason: code, status }, 'malformed HTTP request refused');
    const body = JSON.stringify({ errors: [{ message: 'Malformed HTTP request', extensions: { code: 'BAD_USER_INPUT' } }] });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  };
}
