/**
 * `createRelease(input: { target })`: the checks and the host plan of a VM or JOINT release (the
 * rules of their rollouts are in vm-steps.ts and joint-steps.ts). Reads the VM domain's tables,
 * writes nothing.
 */
import type { Database } from '../../db/client.ts';
import { findBuildsByIds } from '../builds/repository.ts';
import { badInput } from '../shared/errors.ts';
import { vmPayloadOf } from '../vms/desired.ts';
import { findPool, hostsOfEnvironments } from '../vms/repository.ts';
import type { JointRollout } from './joint-steps.ts';
import type { VmRollout } from './vm-steps.ts';

/**
 * The target asked for. @throws BAD_USER_INPUT for an unknown target, and for VM or JOINT without
 * a build or with canary-only options (VM: also with steps).
 */
export function checkTarget(input: { target?: string | null; buildId?: string | null; strategy?: string | null; steps?: unknown; canaryReplicas?: number | null; analysis?: unknown }): 'CLUSTER' | 'VM' | 'JOINT' {
  const target = input.target ?? 'CLUSTER';
  if (target === 'CLUSTER') return 'CLUSTER';
  if (target !== 'VM' && target !== 'JOINT') throw badInput('input.target', 'input.target must be CLUSTER, VM or JOINT');
  if (input.buildId == null) throw badInput('input.buildId', `A ${target} release needs input.buildId: a build with a TARBALL artifact and a run: section`);
  if (input.strategy != null || input.canaryReplicas != null || input.analysis != null) {
    throw badInput('input.target', `A ${target} release takes no strategy, canaryReplicas or analysis`);
  }
  if (target === 'VM' && input.steps != null) throw badInput('input.steps', 'A VM release takes no steps: hosts are updated one at a time');
  return target;
}

/** A joint release starts from the split Gantry last applied and read back (what abort restores). */
export async function planJoint(db: Database, environmentId: string): Promise<JointRollout> {
  const pool = await findPool(db, environmentId);
  return { phase: 'VMS', startCloudWeight: pool?.cloudWeight ?? 0 };
}

/**
 * The environment's live hosts in name order, each with the release it runs now.
 * @throws BAD_USER_INPUT when the build cannot run on a VM or the environment has no hosts.
 */
export async function planVmRollout(db: Database, environmentId: string, buildId: string): Promise<VmRollout> {
  const [build] = await findBuildsByIds(db, [buildId]);
  const payload = vmPayloadOf(build);
  if ('problem' in payload) throw badInput('input.buildId', `This build cannot run on VM hosts: ${payload.problem}`);
  const hosts = await hostsOfEnvironments(db, [environmentId]);
  if (hosts.length === 0) throw badInput('input.target', 'The environment has no VM hosts: registerVmHost first');
  return { hosts: hosts.map((h) => ({ id: h.id, name: h.name, previousReleaseId: h.desiredReleaseId })), index: 0 };
}
