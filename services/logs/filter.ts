import { RE2JS } from 're2js';
import { badInput } from '../shared/errors.ts';
import type { LogLineRow } from './store.ts';

/** `LogFilter` as the API takes it. */
export interface LogFilterInput {
  pods?: readonly string[] | null | undefined;
  releaseId?: string | null | undefined;
  contains?: string | null | undefined;
  regex?: string | null | undefined;
  since?: Date | null | undefined;
  until?: Date | null | undefined;
}

/** A checked filter; `version` comes from the release (the service resolves it). */
export interface LogFilter {
  pods?: readonly string[] | undefined;
  version?: string | undefined;
  contains?: string | undefined;
  regex?: RE2JS | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

const MAX_PODS = 100;
const MAX_PATTERN = 1_000;

function validDate(field: string, value: Date | null | undefined): Date | undefined {
  if (value == null) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw badInput(field, `${field} is not a valid time`);
  return value;
}

/**
 * Compiles a user's pattern with RE2 semantics (re2js, a port of RE2: linear-time matching,
 * no backreferences or lookaround), so no pattern can hold the event loop.
 * @throws BAD_USER_INPUT naming `filter.regex` with RE2's reason (the pattern is not echoed).
 */
export function compileRegex(pattern: string): RE2JS {
  if (pattern.length > MAX_PATTERN) throw badInput('filter.regex', `filter.regex is longer than ${MAX_PATTERN} characters`);
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    // RE2's message quotes the offending piece of the pattern: keep only the reason.
    const reason = /^error parsing regexp: ([^:`]+)/.exec((error as Error).message)?.[1]?.trim() ?? 'not a valid RE2 expression';
    throw badInput('filter.regex', `filter.regex is not a valid RE2 regular expression: ${reason}`);
  }
}

/**
 * Checks everything in a filter but its release.
 * @throws BAD_USER_INPUT naming the field.
 */
export function checkFilter(input: LogFilterInput | null | undefined): LogFilter {
  const filter: LogFilter = {};
  if (!input) return filter;
  if (input.pods != null) {
    if (input.pods.length > MAX_PODS) throw badInput('filter.pods', `filter.pods may name at most ${MAX_PODS} pods`);
    if (input.pods.some((pod) => pod.length === 0 || pod.length > 253)) throw badInput('filter.pods', 'filter.pods must hold pod names (1 to 253 characters)');
    filter.pods = [...new Set(input.pods)];
  }
  if (input.contains != null && input.contains !== '') {
    if (input.contains.length > MAX_PATTERN) throw badInput('filter.contains', `filter.contains is longer than ${MAX_PATTERN} characters`);
    filter.contains = input.contains;
  }
  if (input.regex != null && input.regex !== '') filter.regex = compileRegex(input.regex);
  filter.since = validDate('filter.since', input.since);
  filter.until = validDate('filter.until', input.until);
  return filter;
}

/** Whether a stored line passes the filter (`until` is left to the caller: a live tail ignores it). */
export function matchesFilter(filter: LogFilter, row: LogLineRow, options: { checkUntil?: boolean } = {}): boolean {
  if (filter.pods && !filter.pods.includes(row.source)) return false;
  if (filter.version !== undefined && row.version !== filter.version) return false;
  if (filter.since && row.at < filter.since) return false;
  if (options.checkUntil && filter.until && row.at >= filter.until) return false;
  if (filter.contains !== undefined && !row.message.includes(filter.contains)) return false;
  if (filter.regex && !filter.regex.matcher(row.message).find()) return false;
  return true;
}
