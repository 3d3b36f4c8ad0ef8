/**
 * `rollbackEnvironment` across the sides a release can touch. A rollback goes back to an
 * earlier release on the side(s) that release used: to a VM release, its build's tarball goes
 * back on every host (one at a time, as any VM release; the agents keep the previous release's
 * directory, so a host switches back without a download); to a JOINT release, the tarball on the
 * hosts, the image in the cluster, then the cloud straight to 100% (where every joint release
 * ends) with no pause; to a CLUSTER release, the cluster only, as before.
 */
import type { Database } from '../../db/client.ts';
import { badInput, DomainError } from '../shared/errors.ts';
import type { JointRollout } from './joint-steps.ts';
import type { ReleaseState, ReleaseStepInput } from './model.ts';
import type { ReleaseRow } from './repository.ts';
import { decodeState } from './state-codec.ts';
import { planJoint, planVmRollout } from './vm-target.ts';
import type { VmRollout } from './vm-steps.ts';

/** Where a release puts the new version (`Release.target`). */
export type ReleaseTargetName = 'CLUSTER' | 'VM' | 'JOINT';

/** A release's target, read off its state. */
export function targetOfState(state: Pick<ReleaseState, 'vm' | 'joint'>): ReleaseTargetName {
  return state.joint ? 'JOINT' : state.vm ? 'VM' : 'CLUSTER';
}

/** A release's target, read off its row's state. */
export function targetOfRelease(release: Pick<ReleaseRow, 'state'>): ReleaseTargetName {
  return targetOfState(decodeState(release.state));
}

const targetOf = targetOfRelease;

/**
 * The release `rollbackEnvironment` goes back to when none is named, from the environment's
 * SUCCEEDED releases (newest first). When the newest is a VM release, the VMs are what changed
 * last: the target is the newest earlier release that ran another build on them (a VM side only
 * rollback). Otherwise the cluster's rule: the newest release other than the stable one with
 * another image or configuration, VM-only releases left out (they never touch the cluster).
 */
export function defaultRollbackTarget(
  succeeded: readonly ReleaseRow[],
  environment: { stableReleaseId: string | null; stableImage: string | null },
): { release: ReleaseRow; target: ReleaseTargetName } | null {
  const latest = succeeded[0];
  if (latest && targetOf(latest) === 'VM') {
    const release = succeeded.find((r) => r.id !== latest.id && targetOf(r) !== 'CLUSTER' && r.buildId !== latest.buildId);
    return release ? { release, target: 'VM' } : null;
  }
  const cluster = succeeded.filter((r) => targetOf(r) !== 'VM');
  const stable = cluster.find((r) => r.id === environment.stableReleaseId);
  // A release that changed only the configuration is something to roll back from, too.
  const release = cluster.find(
    (r) => r.id !== environment.stableReleaseId && (r.image !== environment.stableImage || (stable !== undefined && r.configRevision !== stable.configRevision)),
  );
  return release ? { release, target: targetOf(release) } : null;
}

/** What a rollback to `release` on `target` adds to the release it starts. */
export interface RollbackOnHosts {
  buildId: string | null;
  vm: VmRollout | null;
  joint: JointRollout | null;
  steps: ReleaseStepInput[] | null;
}

/**
 * The hosts' plan of a rollback to `release` (nothing for the cluster only).
 * @throws BAD_USER_INPUT naming `toReleaseId` when its build can no longer run on the hosts or there are none.
 */
export async function planRollbackOnHosts(db: Database, environmentId: string, release: ReleaseRow, target: ReleaseTargetName): Promise<RollbackOnHosts> {
  // The cluster only: as rollbacks always were (by image, no build recorded).
  if (target === 'CLUSTER' || release.buildId === null) return { buildId: null, vm: null, joint: null, steps: null };
  const vm = await planVmRollout(db, environmentId, release.buildId).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'BAD_USER_INPUT') throw badInput('toReleaseId', `Release #${release.number} cannot go back on the VM hosts: ${error.message}`);
    throw error;
  });
  if (target === 'VM') return { buildId: release.buildId, vm, joint: null, steps: null };
  return { buildId: release.buildId, vm, joint: await planJoint(db, environmentId), steps: [{ weight: 100 }] };
}
