import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { environments } from './apps.ts';
import { projects, users } from './identity.ts';
import { leaseColumns } from '../../services/shared/runtime/leases.ts';

/** A rule written once (built in, or by a platform admin) that environments subscribe to. */
export const alertTemplates = pgTable('alert_templates', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique('alert_templates_name_uq'),
  description: text('description'),
  expression: text('expression').notNull(),
  forSeconds: integer('for_seconds').notNull(),
  severity: text('severity', { enum: ['INFO', 'WARNING', 'CRITICAL'] }).notNull(),
  /** [{ name, description, default, type }] */
  parameters: jsonb('parameters').notNull(),
  builtIn: boolean('built_in').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
});

/** An environment's subscription: rendered into one Prometheus alerting rule. */
export const alertSubscriptions = pgTable(
  'alert_subscriptions',
  {
    id: uuid('id').primaryKey(),
    templateId: uuid('template_id')
      .notNull()
      .references(() => alertTemplates.id, { onDelete: 'cascade' }),
    environmentId: uuid('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** Checked values by parameter name, defaults filled in. */
    parameters: jsonb('parameters').notNull(),
    webhookUrl: text('webhook_url'),
    abortsReleases: boolean('aborts_releases').notNull().default(false),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [index('alert_subscriptions_environment_idx').on(t.environmentId)],
);

/** One firing of a subscription's rule, by Alertmanager's fingerprint and start: the receiver's idempotency key. */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => alertSubscriptions.id, { onDelete: 'cascade' }),
    environmentId: uuid('environment_id').notNull(),
    projectId: uuid('project_id').notNull(),
    fingerprint: text('fingerprint').notNull(),
    status: text('status', { enum: ['FIRING', 'RESOLVED'] }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    summary: text('summary').notNull(),
    labels: jsonb('labels').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [unique('alerts_fingerprint_start_uq').on(t.fingerprint, t.startsAt), index('alerts_environment_idx').on(t.environmentId, t.startsAt)],
);

/** A webhook post of one alert change, retried with backoff on the shared runtime until delivered or given up. */
export const alertDeliveries = pgTable('alert_deliveries', {
  id: uuid('id').primaryKey(),
  alertId: uuid('alert_id')
    .notNull()
    .references(() => alerts.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  /** The JSON body to post. */
  payload: jsonb('payload').notNull(),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().default(sql`now()`),
  deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  lastError: text('last_error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  ...leaseColumns(),
});
