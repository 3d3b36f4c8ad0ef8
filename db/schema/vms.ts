import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { environments } from './apps.ts';
import { users } from './identity.ts';
import { releases } from './releases.ts';

/**
 * A VM host of an environment and its agent's token (only the SHA-256 is kept). The agent's
 * reports fill `reported_*`; status is derived from `last_seen_at` and `healthy` at read time.
 * `desired_release_id` is what the release engine wants the host to run (one host at a time).
 * A revoked host is kept for the audit trail but serves nothing and its token is refused.
 */
export const vmHosts = pgTable(
  'vm_hosts',
  {
    id: uuid('id').primaryKey(),
    environmentId: uuid('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    desiredReleaseId: uuid('desired_release_id').references(() => releases.id, { onDelete: 'set null' }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    reportedVersion: text('reported_version'),
    healthy: boolean('healthy').notNull().default(false),
    address: text('address'),
    message: text('message'),
    version: integer('version').notNull().default(1),
  },
  (t) => [uniqueIndex('vm_hosts_live_name_uq').on(t.environmentId, t.name).where(sql`revoked_at is null`), index('vm_hosts_environment_idx').on(t.environmentId)],
);

/**
 * An environment's load balancer: the loopback port of its frontend and the split Gantry last
 * applied (what a restarted HAProxy is configured with; `trafficSplit` reads HAProxy itself).
 */
export const vmPools = pgTable('vm_pools', {
  environmentId: uuid('environment_id')
    .primaryKey()
    .references(() => environments.id, { onDelete: 'cascade' }),
  frontendPort: integer('frontend_port').notNull(),
  cloudWeight: integer('cloud_weight').notNull().default(0),
  appliedAt: timestamp('applied_at', { withTimezone: true }),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
  version: integer('version').notNull().default(1),
});
