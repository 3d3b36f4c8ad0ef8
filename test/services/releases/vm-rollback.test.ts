import { describe, expect, it } from 'vitest';
import type { ReleaseRow } from '../../../services/releases/repository.ts';
import { defaultRollbackTarget, type ReleaseTargetName } from '../../../services/releases/vm-rollback.ts';

/** A SUCCEEDED release row with only what the choice reads (its state holds vm/joint by target). */
function aRelease(id: string, target: ReleaseTargetName, build: string, patch: Partial<ReleaseRow> = {}): ReleaseRow {
  const vm = target === 'CLUSTER' ? {} : { vm: { hosts: [], index: 0 } };
  const joint = target === 'JOINT' ? { joint: { phase: 'TRAFFIC', startCloudWeight: 0 } } : {};
  return { id, buildId: build, image: `registry.local/shop@${build}`, configRevision: 1, status: 'SUCCEEDED', state: { steps: [], createdAt: '2025-03-01T10:00:00.000Z', ...vm, ...joint }, ...patch } as ReleaseRow;
}

const choose = (succeeded: ReleaseRow[], stableReleaseId: string | null, stableImage: string | null) => {
  const chosen = defaultRollbackTarget(succeeded, { stableReleaseId, stableImage });
  return chosen && { id: chosen.release.id, target: chosen.target };
};

describe('the release rollbackEnvironment goes back to by default', () => {
  it('should go back on the VMs only, to the newest earlier build they ran, when a VM release changed last', () => {
    // Newest first: r4 (VM, build c) runs on the hosts; r3 ran build c too; r2 (JOINT) ran build b.
    const succeeded = [aRelease('r4', 'VM', 'c'), aRelease('r3', 'VM', 'c'), aRelease('r2', 'JOINT', 'b'), aRelease('r1', 'CLUSTER', 'a')];
    expect(choose(succeeded, 'r2', 'registry.local/shop@b')).toEqual({ id: 'r2', target: 'VM' });
  });

  it('should leave VM-only releases out of the cluster rule and keep the target of the release chosen', () => {
    const succeeded = [aRelease('r4', 'JOINT', 'c'), aRelease('r3', 'VM', 'b'), aRelease('r2', 'JOINT', 'b'), aRelease('r1', 'CLUSTER', 'a')];
    expect(choose(succeeded, 'r4', 'registry.local/shop@c')).toEqual({ id: 'r2', target: 'JOINT' });
    expect(choose([aRelease('r2', 'JOINT', 'b'), aRelease('r1', 'CLUSTER', 'a')], 'r2', 'registry.local/shop@b')).toEqual({ id: 'r1', target: 'CLUSTER' });
  });

  it('should find nothing when the VMs never ran another build, or the cluster has nothing before its stable', () => {
    expect(choose([aRelease('r2', 'VM', 'a'), aRelease('r1', 'VM', 'a')], null, null)).toBeNull();
    expect(choose([aRelease('r2', 'JOINT', 'a'), aRelease('r1', 'VM', 'b')], 'r2', 'registry.local/shop@a')).toBeNull();
  });
});
