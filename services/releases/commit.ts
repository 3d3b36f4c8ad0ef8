import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import { environments } from '../../db/schema/index.ts';
import { transition } from './machine.ts';
import type { MachineError, ReleaseInput, ReleaseState } from './model.ts';
import * as repo from './repository.ts';
import { decodeState, sameState } from './state-codec.ts';

export type CommitResult =
  | { state: ReleaseState; row: repo.ReleaseRow; events: repo.ReleaseEventRow[] }
  | 'UNCHANGED'
  | 'LOST'
  | { error: MachineError };

/**
 * Applies one input to a release inside a transaction holding its row lock: the machine runs on
 * the state as committed (never on a stale copy), then the next state and its events are saved
 * together. With `fence`, only the lease holder at that epoch may save ('LOST' otherwise).
 * A success moves the environment's stable version in the same transaction.
 */
export async function commitTransition(
  db: Database,
  releaseId: string,
  input: ReleaseInput,
  fence: { owner: string; epoch: number } | null,
  now: Date,
  within?: (tx: Tx, row: repo.ReleaseRow, next: ReleaseState) => Promise<void>,
): Promise<CommitResult> {
  return db.transaction(async (tx) => {
    const result = await applyInput(tx, releaseId, input, fence, now);
    if (typeof result === 'object' && 'state' in result) await within?.(tx, result.row, result.state);
    return result;
  });
}

/** {@link commitTransition}'s body, for callers that already hold a transaction. */
export async function applyInput(
  tx: Tx,
  releaseId: string,
  input: ReleaseInput,
  fence: { owner: string; epoch: number } | null,
  now: Date,
): Promise<CommitResult> {
  const row = await repo.lockRelease(tx, releaseId);
  if (!row) return 'LOST';
  if (fence && (row.leaseOwner !== fence.owner || row.leaseEpoch !== fence.epoch)) return 'LOST';
  const state = decodeState(row.state);
  const result = transition(state, input, now);
  if ('error' in result) return { error: result.error };
  if (result.events.length === 0 && sameState(state, result.next)) return 'UNCHANGED';
  const saved = await repo.saveTransition(tx, row, result.next, result.events, fence ?? undefined);
  if (!saved.saved) return 'LOST';
  // A VM-only release changes nothing in the cluster: the cluster's stable version stays.
  if (result.next.status === 'SUCCEEDED' && state.status !== 'SUCCEEDED' && !result.next.vm) await promoteEnvironment(tx, row);
  return { state: result.next, row, events: saved.events };
}

/** The environment's stable version becomes this release's. */
export async function promoteEnvironment(tx: Tx, row: repo.ReleaseRow): Promise<void> {
  await tx
    .update(environments)
    .set({ stableReleaseId: row.id, stableDeployment: row.deployment, stableVersion: row.version, stableImage: row.image })
    .where(eq(environments.id, row.environmentId));
}
