import type { CombinedError } from 'urql';
import { inWords } from './error-words.ts';

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
  return first ? inWords(errorCode(error), first.message) : inWords(null, null);
}
