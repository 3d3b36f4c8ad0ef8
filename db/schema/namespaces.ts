import { sql } from 'drizzle-orm';
import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { projects } from './identity.ts';

/**
 * Which project owns each namespace of each cluster: only that project's environments may
 * deploy into it, so one tenant can never write into another's namespace. Claimed by the
 * first environment created there; kept when that environment or app is deleted (its objects
 * may still be in the cluster), released only with the project.
 */
export const namespaceOwners = pgTable(
  'namespace_owners',
  {
    cluster: text('cluster').notNull(),
    namespace: text('namespace').notNull(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ name: 'namespace_owners_pk', columns: [t.cluster, t.namespace] }), index('namespace_owners_project_idx').on(t.projectId)],
);
