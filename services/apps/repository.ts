import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import { anyKey, columnsRead, keyArray, preparedPerColumns, preparedStatements } from '../../db/prepared.ts';
import { apps, environments } from '../../db/schema/index.ts';

export type AppRow = typeof apps.$inferSelect;
export type EnvironmentRow = typeof environments.$inferSelect;

export async function insertApp(tx: Tx, row: typeof apps.$inferInsert): Promise<AppRow> {
  const [inserted] = await tx.insert(apps).values(row).returning();
  return inserted!;
}

export async function findAppsByIds(tx: Tx, ids: readonly string[]): Promise<AppRow[]> {
  return tx.select().from(apps).where(inArray(apps.id, [...ids]));
}

/** The reads behind the request loaders, prepared once per database (see db/prepared.ts). */
const reads = preparedStatements((db: Database) => ({
  appsByProjects: db.select().from(apps).where(anyKey(apps.projectId, 'uuid')).orderBy(asc(apps.name)).prepare('apps_by_projects'),
  environmentsByApps: db.select().from(environments).where(anyKey(environments.appId, 'uuid')).orderBy(asc(environments.name)).prepare('environments_by_apps'),
}));

export type AppColumn = keyof AppRow & keyof typeof apps;
export type EnvironmentColumn = keyof EnvironmentRow & keyof typeof environments;

/** The same reads, of only the columns a query's selection needs (services/apps/columns.ts). */
const narrowAppsByProjects = preparedPerColumns((db: Database, columns: readonly AppColumn[]) =>
  columnsRead<typeof apps, AppColumn, AppRow>(apps, columns, (selection) =>
    db.select(selection).from(apps).where(anyKey(apps.projectId, 'uuid')).orderBy(asc(apps.name)).prepare(`apps_by_projects:${columns.join(',')}`),
  ),
);
const narrowEnvironmentsByApps = preparedPerColumns((db: Database, columns: readonly EnvironmentColumn[]) =>
  columnsRead<typeof environments, EnvironmentColumn, EnvironmentRow>(environments, columns, (selection) =>
    db.select(selection).from(environments).where(anyKey(environments.appId, 'uuid')).orderBy(asc(environments.name)).prepare(`environments_by_apps:${columns.join(',')}`),
  ),
);

/**
 * All apps of several projects, by name: one prepared statement whatever the number of projects.
 * With `columns`, rows carry only those (the rest undefined): for the resolvers of a selection
 * that reads no other (see services/apps/columns.ts).
 */
export async function findAppsByProjects(db: Database, projectIds: readonly string[], columns?: readonly AppColumn[]): Promise<AppRow[]> {
  const narrow = columns && narrowAppsByProjects(db, columns);
  if (narrow) return narrow.run({ keys: keyArray(projectIds) });
  return reads(db).appsByProjects.execute({ keys: keyArray(projectIds) });
}

/** Compare-and-set update on `version`; null when the row changed (or vanished) meanwhile. */
export async function updateApp(
  tx: Tx,
  id: string,
  expectedVersion: number,
  patch: Partial<Pick<AppRow, 'language' | 'repoUrl' | 'description'>>,
): Promise<AppRow | null> {
  const [row] = await tx
    .update(apps)
    .set({ ...patch, version: expectedVersion + 1 })
    .where(and(eq(apps.id, id), eq(apps.version, expectedVersion)))
    .returning();
  return row ?? null;
}

export async function deleteApp(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx.delete(apps).where(eq(apps.id, id)).returning({ id: apps.id });
  return rows.length > 0;
}

export async function insertEnvironment(tx: Tx, row: typeof environments.$inferInsert): Promise<EnvironmentRow> {
  const [inserted] = await tx.insert(environments).values(row).returning();
  return inserted!;
}

export async function findEnvironmentsByIds(tx: Tx, ids: readonly string[]): Promise<EnvironmentRow[]> {
  return tx.select().from(environments).where(inArray(environments.id, [...ids]));
}

/** All environments of several apps, by name: one prepared statement; `columns` as for {@link findAppsByProjects}. */
export async function findEnvironmentsByApps(db: Database, appIds: readonly string[], columns?: readonly EnvironmentColumn[]): Promise<EnvironmentRow[]> {
  const narrow = columns && narrowEnvironmentsByApps(db, columns);
  if (narrow) return narrow.run({ keys: keyArray(appIds) });
  return reads(db).environmentsByApps.execute({ keys: keyArray(appIds) });
}

export async function updateEnvironment(
  tx: Tx,
  id: string,
  expectedVersion: number,
  patch: Partial<Pick<EnvironmentRow, 'replicas' | 'protected' | 'revisionHistoryLimit'>>,
): Promise<EnvironmentRow | null> {
  const [row] = await tx
    .update(environments)
    .set({ ...patch, version: expectedVersion + 1 })
    .where(and(eq(environments.id, id), eq(environments.version, expectedVersion)))
    .returning();
  return row ?? null;
}
