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
import { groupLoader, uniqueLoader } from './shared/loaders.ts';
import DataLoader from 'dataloader';

/**
 * Every DataLoader of one request. Built per request (in the GraphQL context factory) so that
 * nothing cached outlives the request or leaks between callers.
 */
export function createLoaders(db: Database, principal: Principal | null) {
  /** Projects come with the caller's role, which primes `viewerRole`: no second statement for the access check. */
  const projectsWithRole = async (by: 'id' | 'slug', keys: readonly string[]) => {
    const rows = await projectsRepo.findProjectsWithRole(db, by, keys, principal?.userId ?? null);
    for (const row of rows) loaders.viewerRole.prime(row.project.id, row.role);
    return rows.map((row) => row.project);
  };
  const loaders = {
    userById: uniqueLoader((ids: readonly string[]) => identityRepo.findUsersByIds(db, ids), (u) => u.id),
    userByLogin: uniqueLoader((logins: readonly string[]) => identityRepo.findUsersByLogins(db, logins), (u) => u.login),
    tokenById: uniqueLoader((ids: readonly string[]) => identityRepo.findTokensByIds(db, ids), (t) => t.id),
    activeTokensByUser: groupLoader((ids: readonly string[]) => identityRepo.findActiveTokensByUsers(db, ids), (t) => t.userId),
    projectById: uniqueLoader((ids: readonly string[]) => projectsWithRole('id', ids), (p) => p.id),
    projectBySlug: uniqueLoader((slugs: readonly string[]) => projectsWithRole('slug', slugs), (p) => p.slug),
    membersByProject: groupLoader((ids: readonly string[]) => projectsRepo.findMembersByProjects(db, ids), (m) => m.projectId),
    /** The caller's role per project id; null when not a member (or anonymous). */
    viewerRole: new DataLoader<string, Role | null>(async (projectIds) => {
      if (!principal) return projectIds.map(() => null);
      const rows = await projectsRepo.findRolesOfUser(db, principal.userId, projectIds);
      const roles = new Map(rows.map((r) => [r.projectId, r.role] as const));
      return projectIds.map((id) => roles.get(id) ?? null);
    }),
    appById: uniqueLoader((ids: readonly string[]) => appsRepo.findAppsByIds(db, ids), (a) => a.id),
    appsByProject: groupLoader((ids: readonly string[]) => appsRepo.findAppsByProjects(db, ids), (a) => a.projectId),
    environmentById: uniqueLoader((ids: readonly string[]) => appsRepo.findEnvironmentsByIds(db, ids), (e) => e.id),
    environmentsByApp: groupLoader((ids: readonly string[]) => appsRepo.findEnvironmentsByApps(db, ids), (e) => e.appId),
    /** Live (unrevoked) VM hosts by environment, by name. */
    vmHostsByEnvironment: groupLoader((ids: readonly string[]) => vmsRepo.hostsOfEnvironments(db, ids), (h) => h.environmentId),
    releaseById: uniqueLoader((ids: readonly string[]) => releasesRepo.findReleasesByIds(db, ids), (r) => r.id),
    latestConfigByEnvironment: uniqueLoader((ids: readonly string[]) => configRepo.latestRevisions(db, ids), (r) => r.environmentId),
    /** Keys `environmentId#number`. */
    configRevisionByNumber: uniqueLoader((keys: readonly string[]) => configRepo.findRevisionsByNumbers(db, keys), (r) => `${r.environmentId}#${r.number}`),
    /** Without the state document: for fields that show a release's version and status (`currentRelease`). */
    releaseSummaryById: uniqueLoader((ids: readonly string[]) => releasesRepo.findReleaseSummariesByIds(db, ids), (r) => r.id),
    buildById: uniqueLoader((ids: readonly string[]) => buildsRepo.findBuildsByIds(db, ids), (b) => b.id),
    buildSettingsByApp: uniqueLoader((ids: readonly string[]) => buildsRepo.findSettings(db, ids), (s) => s.appId),
    /** An app's metrics endpoint; null when it has none. */
    metricsEndpointByApp: new DataLoader<string, { port: number; path: string } | null>(async (ids) => {
      const rows = new Map((await metricsRepo.findEndpointsByApps(db, ids)).map((r) => [r.appId, { port: r.port, path: r.path }] as const));
      return ids.map((id) => rows.get(id) ?? null);
    }),
    activeReleaseByEnvironment: uniqueLoader((ids: readonly string[]) => releasesRepo.activeReleasesOf(db, ids), (r) => r.environmentId),
  };
  return loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;
