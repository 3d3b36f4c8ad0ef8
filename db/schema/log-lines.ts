import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per log stream (`build:<id>`, `cron-run:<id>` …): how many lines it holds. Appending
 * bumps `line_count` in the same transaction as the lines, so sequences are 1, 2, 3 … without
 * gaps even with two writers, and a stream's total is one primary-key read.
 */
export const logStreams = pgTable('log_streams', {
  stream: text('stream').primaryKey(),
  lineCount: integer('line_count').notNull().default(0),
});

/** The stored lines of every log stream, in order; `sequence` is the line's place in its stream. */
export const logLines = pgTable(
  'log_lines',
  {
    stream: text('stream').notNull(),
    sequence: integer('sequence').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** A pod's name for workload and cron logs, a stage's name for build logs. */
    source: text('source').notNull(),
    /** The release version of the pod (r7), when it has one. */
    version: text('version'),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.stream, t.sequence] })],
);
