import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apps } from './apps.ts';
import { releases } from './releases.ts';

/** Where an app's pods serve their own Prometheus metrics (`updateMetricsEndpoint`); no row: none. */
export const appMetricsEndpoints = pgTable('app_metrics_endpoints', {
  appId: uuid('app_id')
    .primaryKey()
    .references(() => apps.id, { onDelete: 'cascade' }),
  port: integer('port').notNull(),
  path: text('path').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
});

/** One canary analysis check of one metric (Release.analysis); written with the ANALYSIS_* event it led to. */
export const analysisMeasurements = pgTable(
  'analysis_measurements',
  {
    id: uuid('id').primaryKey(),
    releaseId: uuid('release_id')
      .notNull()
      .references(() => releases.id, { onDelete: 'cascade' }),
    stepIndex: integer('step_index').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    metric: text('metric', { enum: ['ERROR_RATIO', 'LATENCY_P99_SECONDS'] }).notNull(),
    value: doublePrecision('value'),
    threshold: doublePrecision('threshold').notNull(),
    passed: boolean('passed').notNull(),
  },
  (t) => [index('analysis_measurements_release_idx').on(t.releaseId, t.at)],
);
