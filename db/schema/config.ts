import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { leaseColumns } from '../../services/shared/runtime/leases.ts';
import { environments } from './apps.ts';
import { CONCURRENCY_POLICIES, CRON_JOB_RUN_STATUSES } from './enums.ts';
import { users } from './identity.ts';

/** A variable of a revision, as stored. */
export interface StoredVariable {
  name: string;
  value: string;
}
/** A file of a revision, as stored. */
export interface StoredFile {
  path: string;
  content: string;
}
/** A secret of a revision: its value sealed with the SecretBox (AES-256-GCM), never in clear. */
export interface StoredSecret {
  name: string;
  sealed: string;
  /** Length of the plaintext in UTF-8 bytes: the revision's size without decrypting. */
  bytes: number;
  updatedAt: string;
}

/**
 * Immutable snapshots of an environment's configuration (1, 2, 3 …; every environment starts
 * with an empty revision 1). A row is never updated: a change is a new row, which is what makes
 * `expectedRevision` a compare-and-set and lets releases pin a number.
 */
export const configRevisions = pgTable(
  'config_revisions',
  {
    id: uuid('id').primaryKey(),
    environmentId: uuid('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    variables: jsonb('variables').$type<StoredVariable[]>().notNull(),
    files: jsonb('files').$type<StoredFile[]>().notNull(),
    secrets: jsonb('secrets').$type<StoredSecret[]>().notNull(),
    message: text('message'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [unique('config_revisions_environment_number_uq').on(t.environmentId, t.number)],
);

/** A scheduled job of an environment; its CronJob in the cluster is `<app>-<name>`. */
export const cronJobs = pgTable(
  'cron_jobs',
  {
    id: uuid('id').primaryKey(),
    environmentId: uuid('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    schedule: text('schedule').notNull(),
    timeZone: text('time_zone').notNull(),
    command: jsonb('command').$type<string[]>().notNull(),
    /** Null: follow the environment's stable release image. */
    image: text('image'),
    suspended: boolean('suspended').notNull().default(false),
    concurrencyPolicy: text('concurrency_policy', { enum: CONCURRENCY_POLICIES }).notNull(),
    /** When the cluster last started a scheduled run, as its CronJob status says (copied by the worker). */
    lastScheduleAt: timestamp('last_schedule_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
    version: integer('version').notNull().default(1),
    /**
     * A cron job is a never-settled work item of the shared LeasedWorker: one process keeps its
     * CronJob in line with the environment (image, config revision) and records its runs.
     */
    ...leaseColumns(),
  },
  (t) => [unique('cron_jobs_environment_name_uq').on(t.environmentId, t.name)],
);

/**
 * One run of a cron job: a Job in the cluster (the run's id is the Job's uid). Unsettled runs
 * are driven by the shared LeasedWorker, which copies the pod's output into the log stream
 * `cron-run:<id>` and records the outcome; `log_lines_copied` says how far the copy got.
 */
export const cronJobRuns = pgTable(
  'cron_job_runs',
  {
    id: uuid('id').primaryKey(),
    cronJobId: uuid('cron_job_id')
      .notNull()
      .references(() => cronJobs.id, { onDelete: 'cascade' }),
    jobName: text('job_name').notNull(),
    status: text('status', { enum: CRON_JOB_RUN_STATUSES }).notNull(),
    manual: boolean('manual').notNull().default(false),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    logLinesCopied: integer('log_lines_copied').notNull().default(0),
    ...leaseColumns(),
  },
  (t) => [index('cron_job_runs_job_idx').on(t.cronJobId, t.startedAt), index('cron_job_runs_unsettled_idx').on(t.settledAt)],
);
