import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { leaseColumns } from '../../services/shared/runtime/leases.ts';
import { environments } from './apps.ts';

/**
 * One row per environment whose pods' logs are collected: the leased work item of the log
 * collector (exactly one process follows an environment's pods) and the environment's line
 * counter, so its lines are numbered 1, 2, 3 … without gaps by the one process that holds the
 * lease. Rows are created by the collector for every environment; they go with the environment.
 */
export const logCollections = pgTable('log_collections', {
  /** The environment's id. */
  id: uuid('id')
    .primaryKey()
    .references(() => environments.id, { onDelete: 'cascade' }),
  lastSequence: bigint('last_sequence', { mode: 'number' }).notNull().default(0),
  ...leaseColumns(),
});

/**
 * Where the collection of each pod's log stands: the kubelet timestamp of the last stored line
 * and how many stored lines carry exactly that timestamp. Written in the transaction of the
 * lines, so a collector that takes over resumes each pod right after its last stored line.
 */
export const podLogPositions = pgTable(
  'pod_log_positions',
  {
    environmentId: uuid('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    pod: text('pod').notNull(),
    /** RFC 3339 with nanoseconds, as the kubelet prefixes lines with `timestamps=true`. */
    lastTime: text('last_time').notNull(),
    lastCount: integer('last_count').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.pod] })],
);

/**
 * The stored log lines of every environment's pods. Range-partitioned by day on `at` (the
 * migration says so; drizzle-kit cannot), so retention drops whole days: partitions are created
 * by the store as lines arrive (`pod_log_lines_YYYYMMDD`). `sequence` is the line's place in its
 * environment's log. `contains` searches go through `pod_log_chunks` (below), not an index of
 * each line; no foreign key, so deleting an environment does not walk its lines (they expire
 * with their day).
 */
export const podLogLines = pgTable(
  'pod_log_lines',
  {
    environmentId: uuid('environment_id').notNull(),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    pod: text('pod').notNull(),
    version: text('version'),
    message: text('message').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.environmentId, t.sequence, t.at] }),
    index('pod_log_lines_environment_at_idx').on(t.environmentId, t.at),
  ],
);

/**
 * The substring index of the stored lines: each batch's lines, in runs of up to 128 of one day,
 * joined by newlines into one `body` with a trigram index. A trigram index of every line cost
 * PostgreSQL about 100 index entries per line (most of the ingest time); a run of similar lines
 * shares most of its trigrams, so a chunk costs about a tenth of that per line. A search finds
 * the newest chunks whose body contains the text, in widening windows of sequences, then the
 * matching lines in their sequence ranges. Partitioned by day like the lines (on `at`, the newest line's time) and dropped with them.
 */
export const podLogChunks = pgTable(
  'pod_log_chunks',
  {
    environmentId: uuid('environment_id').notNull(),
    firstSequence: bigint('first_sequence', { mode: 'number' }).notNull(),
    lastSequence: bigint('last_sequence', { mode: 'number' }).notNull(),
    /** The oldest line's time (lines' times need not follow their sequence). */
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    /** The newest line's time: the partition key. */
    at: timestamp('at', { withTimezone: true }).notNull(),
    body: text('body').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.environmentId, t.lastSequence, t.at] }),
    // One GIN index over the environment, the newest sequence (btree_gin) and the trigrams: a
    // search of one environment rechecks only its own candidate chunks, and the planner may bound
    // a window of sequences by it (for recent windows it takes the primary key instead).
    index('pod_log_chunks_search_idx').using('gin', t.environmentId, t.lastSequence, t.body.op('gin_trgm_ops')),
  ],
);
