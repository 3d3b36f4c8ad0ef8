import { sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apps } from './apps.ts';

/** Where an app's pods serve their own Prometheus metrics (`updateMetricsEndpoint`); no row: none. */
export const appMetricsEndpoints = pgTable('app_metrics_endpoints', {
  appId: uuid('app_id')
    .primaryKey()
    .references(() => apps.id, { onDelete: 'cascade' }),
  port: integer('port').notNull(),
  path: text('path').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
});
