import { sql } from 'drizzle-orm';
import { customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { apps } from './apps.ts';
import { BUILD_EVENT_TYPES, BUILD_STATUSES, BUILD_TRIGGERS } from './enums.ts';
import { users } from './identity.ts';
import { leaseColumns } from '../../services/shared/runtime/leases.ts';

/**
 * An app's build settings: its own spec (null = its language's template), the SHA-256 of its
 * push-webhook secret (the secret itself is shown once and never stored), and how many builds
 * it has had (numbers builds without a max() query).
 */
export const buildSettings = pgTable('build_settings', {
  appId: uuid('app_id')
    .primaryKey()
    .references(() => apps.id, { onDelete: 'cascade' }),
  spec: text('spec'),
  webhookSecretHash: text('webhook_secret_hash'),
  buildCount: integer('build_count').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
});

/** A stage as stored in `builds.stages` (JSON). */
export interface StoredStage {
  name: string;
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'CACHED';
  cacheKey: string | null;
  cacheHit: boolean | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** An artifact as stored in `builds.artifacts` (JSON); a tarball's reference is its path on the API. */
export interface StoredArtifact {
  kind: 'IMAGE' | 'TARBALL';
  name: string;
  reference: string;
  digest: string;
}

/**
 * One build of an app. `spec` is the spec as it was when the build was created (a later
 * setBuildSpec does not change a running build). The lease columns say which Gantry process
 * runs it (shared runtime: leases.ts); `settled_at` is set once nothing more will happen.
 * `push_sha` is the pushed commit of a PUSH build: a repeated delivery cannot start a second build.
 */
export const builds = pgTable(
  'builds',
  {
    id: uuid('id').primaryKey(),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    status: text('status', { enum: BUILD_STATUSES }).notNull(),
    statusMessage: text('status_message'),
    trigger: text('trigger', { enum: BUILD_TRIGGERS }).notNull(),
    /** What was asked for (null: the default branch), and then the name it resolved to. */
    requestedRef: text('requested_ref'),
    ref: text('ref').notNull(),
    commit: text('commit'),
    spec: text('spec').notNull(),
    variables: jsonb('variables').$type<Record<string, string>>().notNull(),
    stages: jsonb('stages').$type<StoredStage[]>().notNull(),
    artifacts: jsonb('artifacts').$type<StoredArtifact[]>().notNull(),
    pushSha: text('push_sha'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    eventCount: integer('event_count').notNull().default(0),
    /**
     * Where the build runs: the host and workspace of the process that started it, so whoever
     * takes the build over after that process died can end its buildah children and containers
     * (services/builds/leftovers.ts).
     */
    workspaceHost: text('workspace_host'),
    workspaceDir: text('workspace_dir'),
    ...leaseColumns(),
  },
  (t) => [
    unique('builds_app_number_uq').on(t.appId, t.number),
    uniqueIndex('builds_app_push_sha_uq').on(t.appId, t.pushSha).where(sql`push_sha is not null`),
    index('builds_unsettled_idx').on(t.settledAt, t.createdAt),
  ],
);

/** Append-only log of a build's progress; `sequence` is 1, 2, 3 … per build with no gaps. */
export const buildEvents = pgTable(
  'build_events',
  {
    buildId: uuid('build_id')
      .notNull()
      .references(() => builds.id, { onDelete: 'cascade' }),
    sequence: integer('sequence').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    type: text('type', { enum: BUILD_EVENT_TYPES }).notNull(),
    stage: text('stage'),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.buildId, t.sequence] })],
);

/**
 * Who is building a prepare image right now, across processes: a second build with the same
 * cache key waits for the first instead of building it again. A claim not renewed by its
 * `expires_at` (its process died) may be taken.
 */
export const buildPrepareClaims = pgTable('build_prepare_claims', {
  image: text('image').primaryKey(),
  owner: text('owner').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/** PostgreSQL `bytea`: postgres.js reads it as a Buffer, PGlite as a Uint8Array (both as bytes). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * Tarball artifacts, in the database every Gantry process shares (a build's data dir is its own
 * process's), in chunks of at most 1 MiB so neither a write nor a download holds a whole tarball
 * in memory. Deleted with their build (and so with their app).
 */
export const buildArtifactChunks = pgTable(
  'build_artifact_chunks',
  {
    buildId: uuid('build_id')
      .notNull()
      .references(() => builds.id, { onDelete: 'cascade' }),
    /** The artifact's name in the spec. */
    name: text('name').notNull(),
    /** 0, 1, 2 …: the chunk's place in the file. */
    chunk: integer('chunk').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.buildId, t.name, t.chunk] })],
);
