/**
 * Cron job input rules and schedule arithmetic, with croner (a maintained cron library) doing
 * the parsing; pure apart from the clock value passed in. Refusals name the field, never the value.
 */
import { Cron } from 'croner';
import type { ConcurrencyPolicy } from '../../resolvers/types.generated.ts';
import { badInput } from '../shared/errors.ts';

export { CONCURRENCY_POLICIES } from '../../db/schema/enums.ts';
export type { ConcurrencyPolicy };

export const DEFAULT_TIME_ZONE = 'Etc/UTC';
/** A CronJob name may be at most 52 characters (its Jobs append an 11-character suffix). */
export const MAX_CRONJOB_NAME = 52;

/** The Kubernetes spelling of a policy. */
export const KUBE_POLICY: Record<ConcurrencyPolicy, 'Allow' | 'Forbid' | 'Replace'> = { ALLOW: 'Allow', FORBID: 'Forbid', REPLACE: 'Replace' };

const FIELD = /^[A-Za-z0-9*?,/\-]+$/;

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week), as a CronJob takes.
 * @throws BAD_USER_INPUT naming `field`.
 */
export function requireSchedule(field: string, schedule: string): string {
  const text = schedule.trim();
  const parts = text.split(/\s+/);
  if (text.length === 0 || text.length > 200 || parts.length !== 5 || !parts.every((p) => FIELD.test(p))) {
    throw badInput(field, `${field} must be a five-field cron expression (minute hour day-of-month month day-of-week), e.g. */5 * * * *`);
  }
  try {
    new Cron(parts.join(' '), { paused: true, mode: '5-part' });
  } catch {
    throw badInput(field, `${field} is not a valid cron expression: a field is out of range or malformed`);
  }
  return parts.join(' ');
}

/** An IANA time zone name. @throws BAD_USER_INPUT naming `field`. */
export function requireTimeZone(field: string, timeZone: string): string {
  if (timeZone.length === 0 || timeZone.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(timeZone)) throw badInput(field, `${field} must be an IANA time zone, e.g. Europe/Berlin`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw badInput(field, `${field} is not a known IANA time zone`);
  }
  return timeZone;
}

/** The container command: 1 to 50 strings, each at most 4,096 characters. @throws BAD_USER_INPUT. */
export function requireCommand(field: string, command: readonly string[]): string[] {
  if (command.length === 0 || command.length > 50) throw badInput(field, `${field} must hold 1 to 50 strings`);
  command.forEach((part, i) => {
    if (part.length > 4096) throw badInput(`${field}[${i}]`, `${field}[${i}] must be at most 4096 characters`);
  });
  return [...command];
}

/** The next time the schedule fires after `now`, read in `timeZone`; null when it never does. */
export function nextRunAt(schedule: string, timeZone: string, now: Date): Date | null {
  try {
    return new Cron(schedule, { paused: true, timezone: timeZone, mode: '5-part' }).nextRun(now) ?? null;
  } catch {
    return null;
  }
}
