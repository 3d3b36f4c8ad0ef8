import type { CombinedError } from 'urql';

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

/** The contract code of an error (`extensions.code`), or null for a network failure. */
export function errorCode(error: CombinedError): string | null {
  const code = error.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : null;
}

/**
 * An API error in words: what the code means, then Gantry's own message (which names the field
 * or the state, never echoes a value). A network failure says so.
 */
export function describeError(error: CombinedError): string {
  const first = error.graphQLErrors[0];
  if (!first) return 'Gantry cannot be reached. Check the connection and try again.';
  const code = errorCode(error);
  const words = (code && WORDS[code]) ?? 'The request failed.';
  return code === 'STALE_STEP' ? words : `${words} ${first.message}`;
}
