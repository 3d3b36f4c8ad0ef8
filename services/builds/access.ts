import { authorizeProject } from '../access/guard.ts';
import { requirePrincipal } from '../access/policy.ts';
import type { AppRow } from '../apps/repository.ts';
import type { RequestScope } from '../scope.ts';
import { notFound } from '../shared/errors.ts';
import type { BuildRow } from './repository.ts';

/** The build if the caller may read its app's project. @throws NOT_FOUND for missing and invisible alike. */
export async function requireVisibleBuild(scope: RequestScope, buildId: string, action: 'build.read' | 'build.write' = 'build.read'): Promise<BuildRow> {
  requirePrincipal(scope.principal);
  const build = await scope.loaders.buildById.load(buildId);
  const app = build ? await scope.loaders.appById.load(build.appId) : null;
  if (!build || !app) throw notFound('Build');
  await authorizeProject(scope, app.projectId, action, 'Build');
  return build;
}

/** The app, if the caller may do `action` with its builds. @throws NOT_FOUND or FORBIDDEN. */
export async function requireBuildableApp(scope: RequestScope, appId: string, action: 'build.read' | 'build.write'): Promise<AppRow> {
  requirePrincipal(scope.principal);
  const app = await scope.loaders.appById.load(appId);
  if (!app) throw notFound('App');
  await authorizeProject(scope, app.projectId, action, 'App');
  return app;
}
