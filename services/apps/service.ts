import { randomUUID } from 'node:crypto';
import { authorizeProject } from '../access/guard.ts';
import { requirePrincipal, type ProjectAction } from '../access/policy.ts';
import { recordAudit } from '../audit/record.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, conflict, isUniqueViolation, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { paginateInMemory, type Connection, type PageArgs } from '../shared/pagination.ts';
import { requireDnsLabel, requireIntInRange, requireRepoUrl, requireText } from '../shared/validation.ts';
import { LANGUAGES, TRAFFIC_ROUTERS } from '../../db/schema/enums.ts';
import { buildLogStreamsOfApp } from '../builds/repository.ts';
import { insertFirstRevision } from '../config/repository.ts';
import { runLogStreamsOfApp } from '../cron/repository.ts';
import { deleteLogStreams } from '../shared/runtime/log-lines.ts';
import { claimEnvironmentNamespace } from './namespaces.ts';
import * as repo from './repository.ts';

export type { AppRow, EnvironmentRow } from './repository.ts';

export const MAX_REPLICAS = 1000;
export const DEFAULT_REPLICAS = 2;
/** Superseded Deployments kept at zero replicas for rollback, per environment. */
export const DEFAULT_REVISION_HISTORY = 3;
export const MAX_REVISION_HISTORY = 50;

/** The app if the caller may read its project. @throws NOT_FOUND otherwise. */
export async function requireVisibleApp(scope: RequestScope, appId: string, action: 'project.read' | 'app.update' | 'app.delete' | 'environment.create' = 'project.read'): Promise<repo.AppRow> {
  requirePrincipal(scope.principal);
  const app = await scope.loaders.appById.load(appId);
  if (!app) throw notFound('App');
  await authorizeProject(scope, app.projectId, action, 'App');
  return app;
}

/** The environment and its app, if the caller may do `action` in its project. @throws NOT_FOUND otherwise. */
export async function requireVisibleEnvironment(
  scope: RequestScope,
  environmentId: string,
  action: ProjectAction = 'project.read',
): Promise<{ environment: repo.EnvironmentRow; app: repo.AppRow }> {
  requirePrincipal(scope.principal);
  const environment = await scope.loaders.environmentById.load(environmentId);
  const app = environment ? await scope.loaders.appById.load(environment.appId) : null;
  if (!environment || !app) throw notFound('Environment');
  await authorizeProject(scope, app.projectId, action, 'Environment');
  return { environment, app };
}

/**
 * A project's apps by name (the project is already known to be visible); with `columns`, rows
 * of only those (the selection's: services/apps/columns.ts).
 */
export async function appsOfProject(scope: RequestScope, projectId: string, args: PageArgs, columns?: readonly repo.AppColumn[] | null): Promise<Connection<repo.AppRow>> {
  const apps = await (columns ? scope.loaders.appsByProjectWith(columns) : scope.loaders.appsByProject).load(projectId);
  return paginateInMemory(apps, args, (a) => a.name);
}

export async function appOfProject(scope: RequestScope, projectId: string, name: string): Promise<repo.AppRow | null> {
  const apps = await scope.loaders.appsByProject.load(projectId);
  return apps.find((a) => a.name === name) ?? null;
}

/** An app's environments by name; `columns` as for {@link appsOfProject}. */
export function environmentsOfApp(scope: RequestScope, appId: string, columns?: readonly repo.EnvironmentColumn[] | null): Promise<repo.EnvironmentRow[]> {
  return (columns ? scope.loaders.environmentsByAppWith(columns) : scope.loaders.environmentsByApp).load(appId);
}

function requireEnum<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw badInput(field, `${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export interface CreateAppInput {
  projectId: string;
  name: string;
  language: string;
  repoUrl?: string | null;
  description?: string | null;
}

export async function createApp(scope: RequestScope, input: CreateAppInput): Promise<repo.AppRow> {
  const projectId = idOf('Project', input.projectId, 'input.projectId');
  const name = requireDnsLabel('input.name', input.name, 40);
  const language = requireEnum('input.language', input.language, LANGUAGES);
  const repoUrl = input.repoUrl == null ? null : requireRepoUrl('input.repoUrl', input.repoUrl);
  const description = input.description == null ? null : requireText('input.description', input.description, 2000, { allowEmpty: true });
  await authorizeProject(scope, projectId, 'app.create', 'Project');
  try {
    return await scope.db.transaction(async (tx) => {
      const app = await repo.insertApp(tx, { id: randomUUID(), projectId, name, language, repoUrl, description, createdAt: scope.clock.now() });
      await recordAudit(tx, scope, { action: 'app.create', targetType: 'App', targetId: app.id, projectId, details: input });
      scope.loaders.appsByProject.clear(projectId);
      scope.loaders.appsByProjectWith.clear(projectId);
      return app;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`An app with this name already exists in this project`, { field: 'input.name' });
    throw error;
  }
}

export interface UpdateAppInput {
  id: string;
  language?: string | null;
  repoUrl?: string | null;
  description?: string | null;
}

/** Updates the fields present in the input; explicit null clears repoUrl/description. */
export async function updateApp(scope: RequestScope, input: UpdateAppInput): Promise<repo.AppRow> {
  const id = idOf('App', input.id, 'input.id');
  const patch: Parameters<typeof repo.updateApp>[3] = {};
  if (input.language === null) throw badInput('input.language', 'input.language cannot be null');
  if (input.language !== undefined) patch.language = requireEnum('input.language', input.language, LANGUAGES);
  if (input.repoUrl !== undefined) patch.repoUrl = input.repoUrl === null ? null : requireRepoUrl('input.repoUrl', input.repoUrl);
  if (input.description !== undefined) {
    patch.description = input.description === null ? null : requireText('input.description', input.description, 2000, { allowEmpty: true });
  }
  const app = await requireVisibleApp(scope, id, 'app.update');
  return scope.db.transaction(async (tx) => {
    const updated = await repo.updateApp(tx, id, app.version, patch);
    if (!updated) throw conflict('The app was changed by someone else meanwhile; retry');
    await recordAudit(tx, scope, { action: 'app.update', targetType: 'App', targetId: id, projectId: app.projectId, details: input });
    scope.loaders.appById.clear(id).prime(id, updated);
    return updated;
  });
}

/** Deletes the app and its environments. */
export async function deleteApp(scope: RequestScope, globalId: string): Promise<boolean> {
  const id = idOf('App', globalId, 'id');
  const app = await requireVisibleApp(scope, id, 'app.delete');
  return scope.db.transaction(async (tx) => {
    // Builds, cron jobs and their runs go by cascade; their log streams are keyed by name, not by a foreign key.
    await deleteLogStreams(tx, [...(await buildLogStreamsOfApp(tx, id)), ...(await runLogStreamsOfApp(tx, id))]);
    if (!(await repo.deleteApp(tx, id))) throw notFound('App');
    await recordAudit(tx, scope, { action: 'app.delete', targetType: 'App', targetId: id, projectId: app.projectId, details: { id: globalId, name: app.name } });
    scope.loaders.appById.clear(id);
    scope.loaders.appsByProject.clear(app.projectId);
    scope.loaders.appsByProjectWith.clear(app.projectId);
    return true;
  });
}

export interface CreateEnvironmentInput {
  appId: string;
  name: string;
  cluster?: string | null;
  namespace?: string | null;
  replicas?: number | null;
  protected?: boolean | null;
  router?: string | null;
  revisionHistoryLimit?: number | null;
}

export async function createEnvironment(scope: RequestScope, input: CreateEnvironmentInput): Promise<repo.EnvironmentRow> {
  const appId = idOf('App', input.appId, 'input.appId');
  const name = requireDnsLabel('input.name', input.name, 40);
  const replicas = requireIntInRange('input.replicas', input.replicas ?? DEFAULT_REPLICAS, 0, MAX_REPLICAS);
  const router = requireEnum('input.router', input.router ?? 'ISTIO', TRAFFIC_ROUTERS);
  const cluster = input.cluster ?? scope.clusters.defaultName();
  if (!scope.clusters.get(cluster)) {
    const known = scope.clusters.list().map((c) => c.name).join(', ');
    throw badInput('input.cluster', `Unknown cluster "${cluster}"; known clusters: ${known}`);
  }
  const app = await requireVisibleApp(scope, appId, 'environment.create');
  const project = (await scope.loaders.projectById.load(app.projectId))!;
  const explicit = input.namespace == null ? null : requireDnsLabel('input.namespace', input.namespace);
  const revisionHistoryLimit = requireIntInRange('input.revisionHistoryLimit', input.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY, 0, MAX_REVISION_HISTORY);
  try {
    return await scope.db.transaction(async (tx) => {
      const at = scope.clock.now();
      const namespace = await claimEnvironmentNamespace(tx, { cluster, namespace: explicit, project, environment: name, at });
      const environment = await repo.insertEnvironment(tx, {
        id: randomUUID(),
        appId,
        appName: app.name,
        name,
        cluster,
        namespace,
        replicas,
        protected: input.protected ?? false,
        router,
        revisionHistoryLimit,
        createdAt: at,
      });
      // Every environment starts at config revision 1, empty: what its first release runs with.
      await insertFirstRevision(tx, environment.id, scope.principal!.userId, at);
      await recordAudit(tx, scope, { action: 'environment.create', targetType: 'Environment', targetId: environment.id, projectId: app.projectId, details: input });
      scope.loaders.environmentsByApp.clear(appId);
      scope.loaders.environmentsByAppWith.clear(appId);
      return environment;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'environments_app_name_uq')) {
      throw conflict(`App "${app.name}" already has an environment named "${name}"`, { field: 'input.name' });
    }
    // The namespace belongs to this project (checked above), so what runs there is the caller's own app.
    if (isUniqueViolation(error, 'environments_workload_uq')) {
      throw conflict(`App "${app.name}" already has an environment in that namespace on this cluster`, { field: 'input.namespace' });
    }
    throw error;
  }
}

export async function updateEnvironment(
  scope: RequestScope,
  input: { id: string; replicas?: number | null; protected?: boolean | null; revisionHistoryLimit?: number | null },
): Promise<repo.EnvironmentRow> {
  const id = idOf('Environment', input.id, 'input.id');
  const patch: Parameters<typeof repo.updateEnvironment>[3] = {};
  if (input.replicas === null) throw badInput('input.replicas', 'input.replicas cannot be null');
  if (input.protected === null) throw badInput('input.protected', 'input.protected cannot be null');
  if (input.revisionHistoryLimit === null) throw badInput('input.revisionHistoryLimit', 'input.revisionHistoryLimit cannot be null');
  if (input.replicas !== undefined) patch.replicas = requireIntInRange('input.replicas', input.replicas, 0, MAX_REPLICAS);
  if (input.protected !== undefined) patch.protected = input.protected;
  if (input.revisionHistoryLimit !== undefined) {
    patch.revisionHistoryLimit = requireIntInRange('input.revisionHistoryLimit', input.revisionHistoryLimit, 0, MAX_REVISION_HISTORY);
  }
  const { environment, app } = await requireVisibleEnvironment(scope, id, 'environment.update');
  const updated = await scope.db.transaction(async (tx) => {
    const row = await repo.updateEnvironment(tx, id, environment.version, patch);
    if (!row) throw conflict('The environment was changed by someone else meanwhile; retry');
    await recordAudit(tx, scope, { action: 'environment.update', targetType: 'Environment', targetId: id, projectId: app.projectId, details: input });
    scope.loaders.environmentById.clear(id).prime(id, row);
    return row;
  });
  if (patch.replicas !== undefined) await scaleStable(scope, updated);
  return updated;
}

/**
 * Applies the declared replicas to the running stable Deployment now, not at the next release.
 * A release in progress keeps its canary's size (the engine owns it); its stable side follows
 * here, and a canary promoted meanwhile is brought to the environment's size when it becomes
 * stable. A failed scale (cluster unreachable) does not undo the committed change: the
 * workload reports the drift, and repeating the update applies it.
 */
async function scaleStable(scope: RequestScope, environment: repo.EnvironmentRow): Promise<void> {
  const port = scope.clusters.port(environment.cluster);
  if (!port || !environment.stableDeployment) return;
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: environment.stableDeployment, namespace: environment.namespace } };
  try {
    if (await port.read(ref)) await port.scale(ref, environment.replicas);
  } catch {
    // Reported as drift in Environment.workload; see above.
  }
}
