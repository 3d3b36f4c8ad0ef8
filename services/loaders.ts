import type { Database } from '../db/client.ts';
import type { Principal, Role } from './access/policy.ts';
import * as appsRepo from './apps/repository.ts';
import * as identityRepo from './identity/repository.ts';
import * as metricsRepo from './metrics/repository.ts';
import * as projectsRepo from './projects/repository.ts';
import * as releasesRepo from './releases/repository.ts';
import * as buildsRepo from './builds/repository.ts';
import * as configRepo from './config/repository.ts';
import * as vmsRepo from './vms/repository.ts';
import { groupLoader, perColumnSet, uniqueLoader } from './shared/loaders.ts';
import type { AppColumn, EnvironmentColumn } from './apps/repository.ts';
import type { ProjectColumn } from './projects/repository.ts';
import type { ReleaseSummaryColumn } from './releases/repository.ts';
import type { ReadAheadStore } from './apps/prefetch.ts';
import DataLoader from 'dataloader';

/** What the loaders are made from; with them, a loader's factory reaches the other loaders. */
interface Made {
  readonly db: Database;
  readonly principal: Principal | null;
  readonly viewerRole: DataLoader<string, Role | null>;
}

/** Projects come with the caller's role, which primes `viewerRole`: no second statement for the access check. */
async function projectsWithRole(l: Made, by: 'id' | 'slug', keys: readonly string[], columns?: readonly ProjectColumn[]) {
  const rows = await projectsRepo.findProjectsWithRole(l.db, by, keys, l.principal?.userId ?? null, columns);
  for (const row of rows) l.viewerRole.prime(row.project.id, row.role);
  return rows.map((row) => row.project);
}

/** How each loader of a request is made. */
const FACTORIES = {
  userById: (l: Made) => uniqueLoader((ids: readonly string[]) => identityRepo.findUsersByIds(l.db, ids), (u) => u.id),
  userByLogin: (l: Made) => uniqueLoader((logins: readonly string[]) => identityRepo.findUsersByLogins(l.db, logins), (u) => u.login),
  tokenById: (l: Made) => uniqueLoader((ids: readonly string[]) => identityRepo.findTokensByIds(l.db, ids), (t) => t.id),
  activeTokensByUser: (l: Made) => groupLoader((ids: readonly string[]) => identityRepo.findActiveTokensByUsers(l.db, ids), (t) => t.userId),
  projectById: (l: Made) => uniqueLoader((ids: readonly string[]) => projectsWithRole(l, 'id', ids), (p) => p.id),
  projectBySlug: (l: Made) => uniqueLoader((slugs: readonly string[]) => projectsWithRole(l, 'slug', slugs), (p) => p.slug),
  /** Projects of only these columns (services/apps/columns.ts), likewise with the caller's role. */
  projectBySlugWith: (l: Made) => perColumnSet((columns: readonly ProjectColumn[]) => uniqueLoader((slugs: readonly string[]) => projectsWithRole(l, 'slug', slugs, columns), (p) => p.slug)),
  membersByProject: (l: Made) => groupLoader((ids: readonly string[]) => projectsRepo.findMembersByProjects(l.db, ids), (m) => m.projectId),
  /** The caller's role per project id; null when not a member (or anonymous). */
  viewerRole: (l: Made) =>
    new DataLoader<string, Role | null>(async (projectIds) => {
      if (!l.principal) return projectIds.map(() => null);
      const rows = await projectsRepo.findRolesOfUser(l.db, l.principal.userId, projectIds);
      const roles = new Map(rows.map((r) => [r.projectId, r.role] as const));
      return projectIds.map((id) => roles.get(id) ?? null);
    }),
  appById: (l: Made) => uniqueLoader((ids: readonly string[]) => appsRepo.findAppsByIds(l.db, ids), (a) => a.id),
  appsByProject: (l: Made) => groupLoader((ids: readonly string[]) => appsRepo.findAppsByProjects(l.db, ids), (a) => a.projectId),
  appsByProjectWith: (l: Made) => perColumnSet((columns: readonly AppColumn[]) => groupLoader((ids: readonly string[]) => appsRepo.findAppsByProjects(l.db, ids, columns), (a) => a.projectId)),
  environmentById: (l: Made) => uniqueLoader((ids: readonly string[]) => appsRepo.findEnvironmentsByIds(l.db, ids), (e) => e.id),
  environmentsByApp: (l: Made) => groupLoader((ids: readonly string[]) => appsRepo.findEnvironmentsByApps(l.db, ids), (e) => e.appId),
  environmentsByAppWith: (l: Made) =>
    perColumnSet((columns: readonly EnvironmentColumn[]) =>
      groupLoader((ids: readonly string[]) => appsRepo.findEnvironmentsByApps(l.db, ids, columns), (e) => e.appId),
    ),
  /** Live (unrevoked) VM hosts by environment, by name. */
  vmHostsByEnvironment: (l: Made) => groupLoader((ids: readonly string[]) => vmsRepo.hostsOfEnvironments(l.db, ids), (h) => h.environmentId),
  releaseById: (l: Made) => uniqueLoader((ids: readonly string[]) => releasesRepo.findReleasesByIds(l.db, ids), (r) => r.id),
  latestConfigByEnvironment: (l: Made) => uniqueLoader((ids: readonly string[]) => configRepo.latestRevisions(l.db, ids), (r) => r.environmentId),
  /** Keys `environmentId#number`. */
  configRevisionByNumber: (l: Made) => uniqueLoader((keys: readonly string[]) => configRepo.findRevisionsByNumbers(l.db, keys), (r) => `${r.environmentId}#${r.number}`),
  /** Without the state document: for fields that show a release's version and status (`currentRelease`). */
  releaseSummaryById: (l: Made) => uniqueLoader((ids: readonly string[]) => releasesRepo.findReleaseSummariesByIds(l.db, ids), (r) => r.id),
  releaseSummaryByIdWith: (l: Made) =>
    perColumnSet((columns: readonly ReleaseSummaryColumn[]) =>
      uniqueLoader((ids: readonly string[]) => releasesRepo.findReleaseSummariesByIds(l.db, ids, columns), (r) => r.id),
    ),
  buildById: (l: Made) => uniqueLoader((ids: readonly string[]) => buildsRepo.findBuildsByIds(l.db, ids), (b) => b.id),
  buildSettingsByApp: (l: Made) => uniqueLoader((ids: readonly string[]) => buildsRepo.findSettings(l.db, ids), (s) => s.appId),
  /** An app's metrics endpoint; null when it has none. */
  metricsEndpointByApp: (l: Made) =>
    new DataLoader<string, { port: number; path: string } | null>(async (ids) => {
      const rows = new Map((await metricsRepo.findEndpointsByApps(l.db, ids)).map((r) => [r.appId, { port: r.port, path: r.path }] as const));
      return ids.map((id) => rows.get(id) ?? null);
    }),
  /** Rows read ahead for the fields below a parent row (services/apps/prefetch.ts): not a loader, as request-scoped. */
  readAhead: (): ReadAheadStore => ({ environments: new Map(), currentRelease: new Map() }),
  activeReleaseByEnvironment: (l: Made) => uniqueLoader((ids: readonly string[]) => releasesRepo.activeReleasesOf(l.db, ids), (r) => r.environmentId),
};

export type Loaders = { readonly [K in keyof typeof FACTORIES]: ReturnType<(typeof FACTORIES)[K]> };

/**
 * A request's loaders, each made on first use: a request touches a few of the 29 (the dashboard
 * 5, `{ __typename }` none, a subscription's event 1 or 2), and making them all was a map and
 * three closures each, per request and per event (bench/RESULTS.md).
 */
class RequestLoaders {
  constructor(
    readonly db: Database,
    readonly principal: Principal | null,
  ) {}
}
for (const [name, make] of Object.entries(FACTORIES) as [string, (l: Made) => unknown][]) {
  Object.defineProperty(RequestLoaders.prototype, name, {
    get(this: RequestLoaders) {
      const loader = make(this as unknown as Made);
      // The instance's own property from now on: later reads skip this getter.
      Object.defineProperty(this, name, { value: loader, enumerable: true });
      return loader;
    },
  });
}

/**
 * Every DataLoader of one request. Built per request (in the GraphQL context factory) so that
 * nothing cached outlives the request or leaks between callers.
 */
export function createLoaders(db: Database, principal: Principal | null): Loaders {
  return new RequestLoaders(db, principal) as unknown as Loaders;
}
