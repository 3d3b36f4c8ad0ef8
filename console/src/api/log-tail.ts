import { useSubscription } from 'urql';
import { graphql } from '../gql/index.ts';
import type { LogFilter, LogLineFieldsFragment } from '../gql/graphql.ts';

export const LogLineFields = graphql(`
  fragment LogLineFields on LogLine { cursor at source version message }
`);

/**
 * The one place the console follows an environment's live log lines: `logTailBatches`, so a busy
 * environment costs one message and one render per batch (at most every 100 ms) instead of one
 * per line. A batch's `cursor` is where a reconnect resumes (api/resumable.ts reads it).
 */
const LogTail = graphql(`
  subscription LogTail($environmentId: ID!, $filter: LogFilter, $after: String) {
    logTailBatches(environmentId: $environmentId, filter: $filter, after: $after, maxLines: 500, maxDelayMs: 100) {
      cursor
      lines { ...LogLineFields }
    }
  }
`);

/** Lines kept on the page: a busy environment would otherwise grow the page without bound. */
export const MAX_LIVE_LINES = 1000;

/**
 * Live lines of `environmentId` matching `filter`, oldest first, from right after `after` (a
 * line's cursor: no gap between stored history and the tail) or from now when it is null. Paused
 * while `after` is undefined (the history it continues from is still loading). After a network
 * drop the tail resumes from the last line received (api/resumable.ts).
 */
export function useLogTail(environmentId: string, filter: LogFilter, after: string | null | undefined) {
  const [{ data, error }] = useSubscription(
    { query: LogTail, variables: { environmentId, filter, after: after ?? null }, pause: after === undefined },
    (previous: LogLineFieldsFragment[] = [], event) => [...previous, ...event.logTailBatches.lines].slice(-MAX_LIVE_LINES),
  );
  return { lines: data ?? [], error };
}
