/**
 * What a VM host should run, as its agent reads it: the release the engine pointed it at, its
 * build's tarball (URL and digest), the spec's `run:` section and the release's config revision:
 * variables and secrets (opened, as the cluster's pods get them in a Secret) for the app's
 * environment, and its files for the agent to write. Only a
 * release from a build with a tarball and a `run:` section can be desired. The only reader is
 * the `vmDesiredState` stream of a host token of the environment: nothing here is logged.
 */
import type { Database } from '../../db/client.ts';
import { findBuildsByIds, type BuildRow } from '../builds/repository.ts';
import { parseSpec, type RunSpec } from '../builds/spec.ts';
import { renderRevision } from '../config/render.ts';
import { findReleasesByIds } from '../releases/repository.ts';
import type { RequestScope } from '../scope.ts';
import * as repo from './repository.ts';

/** The agent's view of its host's desired state (`VmDesiredState`). */
export interface DesiredStateView {
  host: repo.VmHostRow;
  version: string | null;
  tarballUrl: string | null;
  digest: string | null;
  run: RunSpec | null;
  env: { name: string; value: string }[];
  files: { path: string; content: string }[];
  retired: boolean;
}

/** The tarball and run section a build gives a VM, or a reason why it gives none. */
export function vmPayloadOf(build: BuildRow | undefined): { tarballUrl: string; digest: string; run: RunSpec } | { problem: string } {
  if (!build) return { problem: 'the release was not made from a build' };
  const tarball = build.artifacts.find((a) => a.kind === 'TARBALL');
  if (!tarball) return { problem: `build ${build.number} has no tarball artifact` };
  let run: RunSpec | null = null;
  try {
    run = parseSpec(build.spec).run;
  } catch {
    return { problem: `build ${build.number}'s spec no longer parses` };
  }
  if (!run) return { problem: `build ${build.number}'s spec has no run: section` };
  return { tarballUrl: tarball.reference, digest: tarball.digest, run };
}

/** The desired state of `host` now. */
export async function desiredStateOf(scope: Pick<RequestScope, 'db' | 'config'>, host: repo.VmHostRow): Promise<DesiredStateView> {
  const pool = await repo.findPool(scope.db, host.environmentId);
  const empty: DesiredStateView = { host, version: null, tarballUrl: null, digest: null, run: null, env: [], files: [], retired: pool?.retiredAt != null };
  if (!host.desiredReleaseId || empty.retired) return empty;
  const [release] = await findReleasesByIds(scope.db, [host.desiredReleaseId]);
  if (!release?.buildId) return empty;
  const [build] = await findBuildsByIds(scope.db, [release.buildId]);
  const payload = vmPayloadOf(build);
  if ('problem' in payload) return empty;
  const config = await renderRevision(scope.db, scope.config.box, host.environmentId, release.configRevision);
  // Variables and secrets never share a name (the config domain refuses it), so order is no precedence.
  const env = config ? [...config.variables, ...config.secrets].map((v) => ({ name: v.name, value: v.value })) : [];
  return { ...empty, version: release.version, ...payload, env, files: config ? config.files.map((f) => ({ path: f.path, content: f.content })) : [] };
}

/** The health path of the release the environment's VMs are pointed at (for HAProxy's checks); `/` when none. */
export async function poolHealthPath(db: Database, environmentId: string): Promise<string> {
  const hosts = await repo.hostsOfEnvironments(db, [environmentId]);
  const releaseId = hosts.find((h) => h.desiredReleaseId)?.desiredReleaseId;
  if (!releaseId) return '/';
  const [release] = await findReleasesByIds(db, [releaseId]);
  const [build] = release?.buildId ? await findBuildsByIds(db, [release.buildId]) : [];
  const payload = vmPayloadOf(build);
  return 'problem' in payload ? '/' : payload.run.healthPath;
}
