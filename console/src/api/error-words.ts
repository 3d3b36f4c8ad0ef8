/**
 * The words for the API's errors, apart from the GraphQL client (no DOM or urql types here, so
 * the Node tests can check them).
 */

/** What each of the contract's error codes means to a person, before the API's own message. */
const WORDS: Record<string, string> = {
  STALE_STEP: 'Someone promoted already: the release has moved past that step. The page shows where it is now.',
  FORBIDDEN: 'Your role in this project does not allow this.',
  UNAUTHENTICATED: 'Your token is no longer accepted: sign in again.',
  NOT_FOUND: 'Not found, or not in a project you are a member of.',
  CONFLICT: 'Not possible in the current state.',
  BAD_USER_INPUT: 'Please check the input.',
  INTERNAL_SERVER_ERROR: 'Gantry failed to do this.',
};

/**
 * What a person reads for an error: what its contract code means, then Gantry's own message (which
 * names the field or the state, never echoes a value). No message at all: Gantry was not reached.
 */
export function inWords(code: string | null, message: string | null): string {
  if (message === null) return 'Gantry cannot be reached. Check the connection and try again.';
  const words = (code && WORDS[code]) ?? 'The request failed.';
  return code === 'STALE_STEP' ? words : `${words} ${message}`;
}
