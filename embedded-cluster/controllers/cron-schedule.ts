/**
 * CronJob schedules through croner (a maintained cron library, not hand-written parsing): the
 * standard 5-field syntax CronJobs use (`*`, lists, ranges, steps, month and weekday names, and
 * the `@hourly`-style macros), read in the CronJob's `timeZone` (UTC by default).
 */
import { Cron } from 'croner';

/** A parsed schedule. */
export interface CronSchedule {
  /** The first fire time strictly after `after`, or undefined if there is none. */
  next(after: Date): Date | undefined;
  /** The last fire time at or before `before`, or undefined. */
  previous(before: Date): Date | undefined;
}

/**
 * Parses a cron expression in `timeZone`.
 * @throws Error with a message describing the first problem (field count, range, time zone).
 */
export function parseCronSchedule(expression: string, timeZone = 'Etc/UTC'): CronSchedule {
  const text = expression.trim();
  const fields = text.split(/\s+/).length;
  if (!text.startsWith('@') && fields !== 5) throw new Error(`expected exactly 5 fields, found ${fields}: ${expression}`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`unknown time zone "${timeZone}"`);
  }
  let cron: Cron;
  try {
    cron = new Cron(text, { paused: true, timezone: timeZone, mode: '5-part' });
  } catch (error) {
    throw new Error(`value out of range or malformed: ${(error as Error).message}`);
  }
  return {
    next: (after) => cron.nextRun(after) ?? undefined,
    previous: (before) => cron.previousRuns(1, before)[0],
  };
}
