/**
 * API errors and the `Status` bodies the real API server returns for them. Messages follow
 * the real server's wording, because client-go and kubectl print them verbatim and some
 * callers match on them.
 */
import type { ResourceType } from './resources.ts';

/** The closed set of `Status.reason` values this server produces. */
export const STATUS_REASONS = [
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'MethodNotAllowed',
  'NotAcceptable',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Expired',
  'UnsupportedMediaType',
  'Invalid',
  'TooManyRequests',
  'InternalError',
  'ServiceUnavailable',
] as const;

/** One of {@link STATUS_REASONS}. */
export type StatusReason = (typeof STATUS_REASONS)[number];

/** One entry of `Status.details.causes`, e.g. a field that failed validation. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** `Status.details`: which object the failure is about. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The `meta/v1 Status` object, as sent in error responses and in watch ERROR events. */
export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error that maps one-to-one onto an HTTP status code and a `Status` body. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** Returns the `Status` body for this error. */
  toStatus(): StatusObject {
    const status: StatusObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Returns `pods` or `deployments.apps`, the qualified resource name used in messages. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function resourceDetails(type: ResourceType, name: string): StatusDetails {
  return type.group ? { name, group: type.group, kind: type.plural } : { name, kind: type.plural };
}

/** 404 for a missing object: `pods "web" not found`. */
export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, resourceDetails(type, name));
}

/** 409 for a create whose name is taken: `pods "web" already exists`. */
export function alreadyExists(type: ResourceType, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, resourceDetails(type, name));
}

/** 409 for a write based on a stale `resourceVersion` (optimistic concurrency). */
export function conflict(type: ResourceType, name: string, why: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`,
    resourceDetails(type, name),
  );
}

/** The message of a conflict caused by a stale resourceVersion. */
export const STALE_OBJECT_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 listing every failed field, formatted like the API server's aggregate error. */
export function invalid(type: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const reasons = causes.map((cause) => (cause.field ? `${cause.field}: ${cause.message}` : cause.message));
  const summary = reasons.length === 1 ? reasons[0] : `[${reasons.join(', ')}]`;
  const details: StatusDetails = { name, kind: type.kind, causes };
  if (type.group) details.group = type.group;
  return new ApiError(422, 'Invalid', `${type.kind} "${name}" is invalid: ${summary}`, details);
}

/** 410 for a resourceVersion older than the retained history (watch) or a stale continue token. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** 400 for a malformed request. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 500, used by fault injection and for unexpected failures. */
export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', message);
}

/** Converts anything thrown into an {@link ApiError}, so every failure gets a `Status` body. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return internalError(`Internal error occurred: ${message}`);
}
