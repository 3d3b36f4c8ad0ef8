import type { AppRow } from '../apps/repository.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { requireVisibleBuild } from './access.ts';

/**
 * What `createRelease(input: { buildId })` runs: the build's IMAGE artifact by digest. The build
 * must belong to the environment's app and have SUCCEEDED with an image.
 * @throws NOT_FOUND for a build the caller cannot see; BAD_USER_INPUT naming `field` otherwise.
 */
export async function releasableImageOf(scope: RequestScope, buildGlobalId: string, app: AppRow, field: string): Promise<{ image: string; buildId: string }> {
  const build = await requireVisibleBuild(scope, idOf('Build', buildGlobalId, field)).catch((error: unknown) => {
    throw (error as { code?: string }).code === 'NOT_FOUND' ? notFound('Build') : error;
  });
  if (build.appId !== app.id) throw badInput(field, `Build #${build.number} is of another app; release a build of ${app.name}`);
  if (build.status !== 'SUCCEEDED') throw badInput(field, `Build #${build.number} is ${build.status}: only a build that SUCCEEDED can be released`);
  const image = build.artifacts.find((a) => a.kind === 'IMAGE');
  if (!image) throw badInput(field, `Build #${build.number} has no image artifact to release`);
  return { image: image.reference, buildId: build.id };
}
