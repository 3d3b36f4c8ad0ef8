import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { API_TOKEN_SCOPES, ROLES } from './enums.ts';

/** People and robots that call the API. `login` is the stable handle used in memberships. */
export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  login: text('login').notNull().unique(),
  name: text('name'),
  isAdmin: boolean('is_admin').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  version: integer('version').notNull().default(1),
});

/**
 * API tokens. Only a SHA-256 hash of the secret is kept: a leaked table cannot be replayed.
 * Revocation is a timestamp, not a delete, so the audit trail can still name the token.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** API_TOKEN_SCOPES; tokens minted before scopes existed could do everything, and still can. */
    scopes: text('scopes', { enum: API_TOKEN_SCOPES }).array().notNull().default(sql`'{READ,WRITE}'::text[]`),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

export const projects = pgTable('projects', {
  id: uuid('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  version: integer('version').notNull().default(1),
});

/** One row per (project, user); `role` is one of ROLES (the SDL's `enum Role`). */
export const projectMembers = pgTable(
  'project_members',
  {
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('project_members_user_idx').on(t.userId)],
);
