/**
 * What the release engine needs from the VM domain for `target: VM` releases: the hosts as
 * their agents report them, and pointing hosts at a release (which their agents then follow).
 */
import type { Database } from '../../db/client.ts';
import type { ObservedVmHost, VmDesiredEffect, VmRollout } from '../releases/vm-steps.ts';
import type { Clock } from '../shared/clock.ts';
import { balancerKey, hostStatus } from './model.ts';
import * as repo from './repository.ts';
import type { VmRuntime } from './runtime.ts';

export interface VmReleasePort {
  observe(release: { id: string; version: string; environmentId: string }, vm: VmRollout): Promise<ObservedVmHost[]>;
  apply(release: { id: string; environmentId: string }, effect: VmDesiredEffect): Promise<void>;
  /** The cloud weight HAProxy reads back for the environment; null when it cannot be asked. */
  readSplit(environmentId: string): Promise<number | null>;
  /** Writes the cloud weight over the admin socket, reads it back, records it. @throws when HAProxy is unreachable or refuses. */
  applySplit(environmentId: string, cloudWeight: number): Promise<number>;
}

export function vmReleasePort(db: Database, vms: VmRuntime, clock: Clock): VmReleasePort {
  return {
    async observe(release, vm) {
      const rows = await repo.findHostsByIds(db, vm.hosts.map((h) => h.id));
      const now = clock.now().getTime();
      return rows.map((row) => {
        const status = hostStatus(row, now, vms.offlineAfterMs);
        const pointed = row.desiredReleaseId === release.id;
        return {
          id: row.id,
          name: row.name,
          status,
          runsRelease: pointed && status === 'CONNECTED' && row.reportedVersion === release.version,
          // Agents prefix what went wrong with the version it concerns: an old failure is not this one's.
          failure: pointed && row.message?.startsWith(`${release.version}: `) ? row.message.slice(release.version.length + 2) : null,
        };
      });
    },
    async apply(release, effect) {
      if (effect.hosts.length === 0) return;
      const rows = new Map((await repo.findHostsByIds(db, effect.hosts.map((h) => h.id))).map((r) => [r.id, r]));
      let changed = false;
      for (const target of effect.hosts) {
        const row = rows.get(target.id);
        if (!row || row.desiredReleaseId === target.release) continue;
        await repo.setDesiredRelease(db, target.id, target.release);
        changed = true;
      }
      if (changed) vms.bus.publish(release.environmentId);
    },
    async readSplit(environmentId) {
      try {
        return (await vms.balancer.readSplit(balancerKey(environmentId)))?.cloudWeight ?? null;
      } catch {
        return null;
      }
    },
    async applySplit(environmentId, cloudWeight) {
      const split = await vms.balancer.applySplit(balancerKey(environmentId), cloudWeight);
      await repo.recordApplied(db, environmentId, split.cloudWeight, clock.now());
      return split.cloudWeight;
    },
  };
}
