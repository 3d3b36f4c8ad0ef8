/**
 * Rolling-update arithmetic, as the Deployment controller does it: how far the new
 * ReplicaSet may scale up (maxSurge) and how far the old ones may scale down
 * (maxUnavailable). Pure functions over replica counts; no I/O.
 */

/** The replica counts of one ReplicaSet that the arithmetic needs. */
export interface ReplicaCounts {
  name: string;
  /** spec.replicas */
  desired: number;
  /** status.availableReplicas */
  available: number;
}

/** Resolves an int-or-percent (`2`, `"25%"`) against a total, rounding up or down. */
export function resolveIntOrPercent(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) return Number(value) || 0;
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** maxSurge and maxUnavailable resolved for `replicas`; never both zero. */
export function surgeAndUnavailable(replicas: number, maxSurge: number | string | undefined, maxUnavailable: number | string | undefined): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge ?? '25%', replicas, true);
  let unavailable = resolveIntOrPercent(maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

/** The new ReplicaSet's replica count for this step of a rolling update. */
export function newReplicaSetReplicas(replicas: number, surge: number, newSet: ReplicaCounts, oldSets: ReplicaCounts[]): number {
  if (newSet.desired > replicas) return replicas;
  const current = newSet.desired + oldSets.reduce((sum, set) => sum + set.desired, 0);
  const room = replicas + surge - current;
  if (room <= 0) return newSet.desired;
  return newSet.desired + Math.min(room, replicas - newSet.desired);
}

/**
 * The old ReplicaSets' replica counts for this step: first unhealthy replicas are removed,
 * then available ones, never dropping total availability below `replicas - unavailable`.
 * `oldSets` must be ordered oldest first. Returns the new desired count per name.
 */
export function oldReplicaSetReplicas(replicas: number, unavailable: number, newSet: ReplicaCounts, oldSets: ReplicaCounts[]): Map<string, number> {
  const result = new Map(oldSets.map((set) => [set.name, set.desired]));
  const oldTotal = oldSets.reduce((sum, set) => sum + set.desired, 0);
  if (oldTotal === 0) return result;
  const allPods = newSet.desired + oldTotal;
  const minAvailable = replicas - unavailable;
  const newUnavailable = Math.max(0, newSet.desired - newSet.available);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return result;

  let scaledDown = 0;
  for (const set of oldSets) {
    if (scaledDown >= maxScaledDown) break;
    const current = result.get(set.name) ?? 0;
    const unhealthy = current - Math.min(set.available, current);
    if (current === 0 || unhealthy <= 0) continue;
    const count = Math.min(maxScaledDown - scaledDown, unhealthy);
    result.set(set.name, current - count);
    scaledDown += count;
  }

  const available = newSet.available + oldSets.reduce((sum, set) => sum + Math.min(set.available, result.get(set.name) ?? 0), 0);
  const excess = available - minAvailable;
  let removed = 0;
  for (const set of oldSets) {
    if (removed >= excess) break;
    const current = result.get(set.name) ?? 0;
    if (current === 0) continue;
    const count = Math.min(current, excess - removed);
    result.set(set.name, current - count);
    removed += count;
  }
  return result;
}
