import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { LANGUAGES, TRAFFIC_ROUTERS } from './enums.ts';
import { projects } from './identity.ts';

export const apps = pgTable(
  'apps',
  {
    id: uuid('id').primaryKey(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    language: text('language', { enum: LANGUAGES }).notNull(),
    repoUrl: text('repo_url'),
    description: text('description'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
    version: integer('version').notNull().default(1),
  },
  (t) => [unique('apps_project_name_uq').on(t.projectId, t.name)],
);

/**
 * Where an app runs. (cluster, namespace, app name) identifies the workload; `app_name` is
 * copied from the app so that uniqueness can be enforced by the database.
 */
export const environments = pgTable(
  'environments',
  {
    id: uuid('id').primaryKey(),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    appName: text('app_name').notNull(),
    name: text('name').notNull(),
    cluster: text('cluster').notNull(),
    namespace: text('namespace').notNull(),
    replicas: integer('replicas').notNull(),
    protected: boolean('protected').notNull().default(false),
    router: text('router', { enum: TRAFFIC_ROUTERS }).notNull(),
    /** The release whose version serves all traffic now, and where it runs. */
    stableReleaseId: uuid('stable_release_id'),
    stableDeployment: text('stable_deployment'),
    stableVersion: text('stable_version'),
    stableImage: text('stable_image'),
    /** Releases created so far: numbers releases (r1, r2 …) without a max() query. */
    releaseCount: integer('release_count').notNull().default(0),
    /** Superseded Deployments kept (scaled to zero) for rollback; older ones are deleted. */
    revisionHistoryLimit: integer('revision_history_limit').notNull().default(3),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    unique('environments_app_name_uq').on(t.appId, t.name),
    unique('environments_workload_uq').on(t.cluster, t.namespace, t.appName),
    index('environments_app_idx').on(t.appId),
  ],
);
