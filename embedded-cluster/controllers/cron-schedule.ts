/**
 * A small parser for the standard 5-field cron syntax CronJobs use (`*`, lists, ranges,
 * steps, month and weekday names, and the `@hourly`-style macros), evaluated in UTC.
 */

/** A parsed schedule. */
export interface CronSchedule {
  /** The first fire time strictly after `after`, or undefined if none within 5 years. */
  next(after: Date): Date | undefined;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  min: number;
  max: number;
  names?: string[];
  /** Offset added to a name's index (months are 1-based). */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 7, names: WEEKDAYS, nameBase: 0 },
];

function parseValue(text: string, spec: FieldSpec): number {
  const byName = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (byName >= 0) return byName + (spec.nameBase ?? 0);
  if (!/^\d+$/.test(text)) throw new Error(`invalid value "${text}"`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) throw new Error(`value ${value} out of range [${spec.min}, ${spec.max}]`);
  return value;
}

/** Parses one field into the set of allowed values; `restricted` is false for `*`/`?`. */
function parseField(text: string, spec: FieldSpec): { values: Set<number>; restricted: boolean } {
  const values = new Set<number>();
  let restricted = true;
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid step "${stepText}"`);
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      low = spec.min;
      high = spec.max;
      if (stepText === undefined) restricted = false;
    } else if (range.includes('-')) {
      const [from = '', to = ''] = range.split('-');
      low = parseValue(from, spec);
      high = parseValue(to, spec);
    } else {
      low = parseValue(range, spec);
      high = stepText === undefined ? low : spec.max;
    }
    if (low > high) throw new Error(`invalid range "${range}"`);
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return { values, restricted };
}

/**
 * Parses a cron expression.
 * @throws Error with a message describing the first problem.
 */
export function parseCronSchedule(expression: string): CronSchedule {
  const text = MACROS[expression.trim()] ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: ${expression}`);
  const [minutes, hours, days, months, weekdays] = parts.map((part, index) => parseField(part, FIELDS[index] as FieldSpec));
  if (!minutes || !hours || !days || !months || !weekdays) throw new Error('unreachable');
  if (weekdays.values.has(7)) weekdays.values.add(0);

  const dayMatches = (date: Date): boolean => {
    const dayOfMonth = days.values.has(date.getUTCDate());
    const dayOfWeek = weekdays.values.has(date.getUTCDay());
    // Standard cron: when both day fields are restricted, either one matching is enough.
    if (days.restricted && weekdays.restricted) return dayOfMonth || dayOfWeek;
    return dayOfMonth && dayOfWeek;
  };

  return {
    next(after) {
      const date = new Date(after.getTime());
      date.setUTCSeconds(0, 0);
      date.setUTCMinutes(date.getUTCMinutes() + 1);
      const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
      while (date.getTime() <= limit) {
        if (!months.values.has(date.getUTCMonth() + 1)) {
          date.setUTCMonth(date.getUTCMonth() + 1, 1);
          date.setUTCHours(0, 0);
        } else if (!dayMatches(date)) {
          date.setUTCDate(date.getUTCDate() + 1);
          date.setUTCHours(0, 0);
        } else if (!hours.values.has(date.getUTCHours())) {
          date.setUTCHours(date.getUTCHours() + 1, 0);
        } else if (!minutes.values.has(date.getUTCMinutes())) {
          date.setUTCMinutes(date.getUTCMinutes() + 1);
        } else {
          return date;
        }
      }
      return undefined;
    },
  };
}
