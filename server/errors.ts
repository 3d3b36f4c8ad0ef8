import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ERROR_CODES, type ErrorCode } from '../services/shared/errors.ts';
import { currentRequestId } from './request-id.ts';

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
 * The single place where errors become what clients see. Domain errors keep their message;
 * graphql-js/Apollo errors are mapped into the contract's codes; anything else is internal,
 * and in production its message is replaced by the request id so details never leak.
 */
export function createErrorFormatter(options: { production: boolean; onInternal: (error: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let original: unknown = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    // graphql-js wraps coercion errors twice (GraphQLError in GraphQLError); look through to a DomainError.
    while (original instanceof GraphQLError && original.originalError && original !== error) original = original.originalError;
    const requestId = currentRequestId();
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
      return { ...formatted, extensions: { ...extensions, code: mapped, ...(requestId ? { requestId } : {}) } };
    }
    options.onInternal(original);
    const message = options.production
      ? `Internal server error; quote request id ${requestId ?? 'unknown'} when reporting it`
      : formatted.message;
    return {
      message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
    };
  };
}
