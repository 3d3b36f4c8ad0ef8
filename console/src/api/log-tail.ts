import { useSubscription } from 'urql';
import { graphql } from '../gql/index.ts';
import type { LogFilter, LogLineFieldsFragment } from '../gql/graphql.ts';

export const LogLineFields = graphql(`
  fragment LogLineFields on LogLine { cursor at source version message }
`);

/**
 * The one place the console follows an environment's live log lines. It uses `logTail` (one line
 * per message); when a batched stream lands, only this module changes: the panel gets lines either way.
 */
const LogTail = graphql(`
  subscription LogTail($environmentId: ID!, $filter: LogFilter, $after: String) {
    logTail(environmentId: $environmentId, filter: $filter, after: $after) { ...LogLineFields }
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
    (previous: LogLineFieldsFragment[] = [], event) => [...previous.slice(-(MAX_LIVE_LINES - 1)), event.logTail],
  );
  return { lines: data ?? [], error };
}
