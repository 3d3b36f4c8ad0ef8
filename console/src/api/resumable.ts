import type { ExecutionResult, SubscriptionForwarder } from '@urql/core';
import type { Client as WsClient, FormattedExecutionResult } from 'graphql-ws';

/**
 * Close codes after which retrying cannot help: a refused or revoked token (4403), a protocol
 * misuse (4400, 4401, 4429) and Gantry's connections-per-token limit (1008).
 */
const FATAL_CLOSE_CODES = new Set([1008, 4400, 4401, 4403, 4429]);

/** True for a socket that closed or failed to open (worth retrying), false for GraphQL errors. */
export function retryable(error: unknown): boolean {
  if (Array.isArray(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return !FATAL_CLOSE_CODES.has(code);
  // A socket that could not open at all is an Event without a code.
  return typeof Event !== 'undefined' && error instanceof Event;
}

/** The `cursor` of the single root field of a result, if it has one. */
function cursorOf(result: FormattedExecutionResult<Record<string, unknown>, unknown>): string | null {
  const data = result.data as Record<string, unknown> | null | undefined;
  if (!data) return null;
  const root = Object.values(data)[0] as { cursor?: unknown } | null | undefined;
  return typeof root?.cursor === 'string' ? root.cursor : null;
}

/**
 * Runs subscriptions over graphql-ws so that a dropped connection loses nothing: when the socket
 * closes, the subscription is started again, after a short backoff, on a new socket; one whose
 * variables include `after` (Gantry's resumable streams, like `releaseProgress`) is started again
 * from the cursor of the last event received, so the stream continues with no gap and no repeat.
 * Others (like `workloadChanged`, which begins with the full state) start afresh.
 */
export function resumableSubscriptions(ws: WsClient, delays: readonly number[] = [250, 1000, 2000, 5000]): SubscriptionForwarder {
  return (request) => ({
    subscribe(sink) {
      let variables = { ...(request.variables ?? {}) };
      const resumable = Object.prototype.hasOwnProperty.call(variables, 'after');
      let stopped = false;
      let attempt = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let cancel: () => void = () => {};
      const start = () => {
        cancel = ws.subscribe(
          { query: request.query ?? '', variables },
          {
            next(result) {
              attempt = 0;
              const cursor = resumable ? cursorOf(result) : null;
              if (cursor) variables = { ...variables, after: cursor };
              // The same JSON urql would get over HTTP; graphql-ws only types it more loosely.
              sink.next(result as ExecutionResult);
            },
            error(error) {
              if (stopped) return;
              if (!retryable(error)) return sink.error(error);
              timer = setTimeout(start, delays[Math.min(attempt, delays.length - 1)]);
              attempt += 1;
            },
            complete() {
              if (!stopped) sink.complete();
            },
          },
        );
      };
      start();
      return {
        unsubscribe() {
          stopped = true;
          clearTimeout(timer);
          cancel();
        },
      };
    },
  });
}
