/** The HTTP status of a client-node error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

/**
 * True when the API server refused a write for good (invalid, forbidden, immutable, too large):
 * repeating it cannot succeed. Timeouts, 5xx, 409 and 429 are worth retrying and answer false.
 */
export function isPermanentRefusal(error: unknown): boolean {
  const status = statusOf(error);
  return status === 400 || status === 403 || status === 413 || status === 422;
}
