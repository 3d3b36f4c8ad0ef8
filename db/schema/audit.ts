import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { projects, users } from './identity.ts';

/**
 * Append-only record of every mutation, written in the mutation's own transaction.
 * `seq` orders entries (timestamps can tie); the project link survives for filtering,
 * and is nulled rather than cascading so that history of deleted projects stays queryable by admins.
 */
export const auditEntries = pgTable(
  'audit_entries',
  {
    id: uuid('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().notNull().unique(),
    at: timestamp('at', { withTimezone: true }).notNull().default(sql`now()`),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    projectId: uuid('project_id').references(() => projects.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    details: jsonb('details'),
    requestId: text('request_id'),
  },
  (t) => [index('audit_entries_project_seq_idx').on(t.projectId, t.seq)],
);
