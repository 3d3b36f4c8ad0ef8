import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { environments } from './apps.ts';
import { RELEASE_EVENT_TYPES, RELEASE_STATUSES, RELEASE_STRATEGIES } from './enums.ts';
import { users } from './identity.ts';

/**
 * One release of an image to an environment. `status` is the state machine's one status
 * column; `state` holds the rest of the machine's state (steps, weights, timestamps) as JSON.
 * The partial unique index makes "one active release per environment" a database rule.
 * `lease_*` say which Gantry process drives the release; `lease_epoch` fences stale drivers.
 */
export const releases = pgTable(
  'releases',
  {
    id: uuid('id').primaryKey(),
    environmentId: uuid('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    image: text('image').notNull(),
    version: text('version').notNull(),
    strategy: text('strategy', { enum: RELEASE_STRATEGIES }).notNull(),
    status: text('status', { enum: RELEASE_STATUSES }).notNull(),
    statusMessage: text('status_message'),
    state: jsonb('state').notNull(),
    isRollback: boolean('is_rollback').notNull().default(false),
    rollbackOf: uuid('rollback_of'),
    /** The stable version when the release was created: what a canary runs beside and falls back to. */
    previousReleaseId: uuid('previous_release_id'),
    previousDeployment: text('previous_deployment'),
    previousVersion: text('previous_version'),
    previousImage: text('previous_image'),
    /** The config revision the release's pods run with (`<app>-config-<n>`, `<app>-secrets-<n>`). */
    configRevision: integer('config_revision').notNull().default(1),
    /** The stable release's config revision when this one was created: what a failed in-place rollout restores. */
    previousConfigRevision: integer('previous_config_revision'),
    /** The Deployment this release runs in (its own for CANARY, the stable one for ROLLING/RECREATE). */
    deployment: text('deployment').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** The build whose image artifact this release runs (createRelease with buildId); no foreign key: builds is another domain. */
    buildId: uuid('build_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** When the cluster reached the final state's desired shape; the engine stops driving it then. */
    settledAt: timestamp('settled_at', { withTimezone: true }),
    eventCount: integer('event_count').notNull().default(0),
    rowVersion: integer('row_version').notNull().default(1),
    leaseOwner: text('lease_owner'),
    leaseEpoch: integer('lease_epoch').notNull().default(0),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
  },
  (t) => [
    unique('releases_environment_number_uq').on(t.environmentId, t.number),
    uniqueIndex('releases_one_active_per_environment').on(t.environmentId).where(sql`finished_at is null`),
    index('releases_unsettled_idx').on(t.settledAt),
    index('releases_environment_idx').on(t.environmentId, t.number),
  ],
);

/** Append-only log of a release; `sequence` is 1, 2, 3 … per release with no gaps. */
export const releaseEvents = pgTable(
  'release_events',
  {
    releaseId: uuid('release_id')
      .notNull()
      .references(() => releases.id, { onDelete: 'cascade' }),
    sequence: integer('sequence').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    type: text('type', { enum: RELEASE_EVENT_TYPES }).notNull(),
    message: text('message').notNull(),
    stepIndex: integer('step_index'),
    weight: integer('weight'),
    readyReplicas: integer('ready_replicas'),
  },
  (t) => [primaryKey({ columns: [t.releaseId, t.sequence] })],
);
