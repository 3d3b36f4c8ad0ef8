/**
 * Releases to VM hosts (`target: VM`): pure rules beside the machine. The release's TARBALL goes
 * to one host at a time, in name order: a host is pointed at the release, and the next one only
 * once it reports the release's version, healthy, within the progress deadline. A host whose
 * agent reports that this release failed on it (digest refused, health check failed) stops the
 * rollout and FAILS the release naming it; so does one that stays OFFLINE or unhealthy past the
 * deadline. On SUCCEEDED every host runs the release; on FAILED or ABORTED the hosts already
 * pointed at it go back to the release each ran before.
 */
import type { NewReleaseEvent, Observation, ReleaseState, TransitionResult } from './model.ts';

/** A host taking part in a VM rollout, and what it ran before. */
export interface VmRolloutHost {
  id: string;
  name: string;
  /** The release the host was pointed at before this one (null: none). */
  previousReleaseId: string | null;
}

/** The VM side of a release's state (in the `state` jsonb). */
export interface VmRollout {
  hosts: VmRolloutHost[];
  /** The host being updated now; `hosts.length` once every host runs the release. */
  index: number;
}

/** One host as the engine reads it for a VM rollout. */
export interface ObservedVmHost {
  id: string;
  name: string;
  /** Reports this release's version, healthy, recently. */
  runsRelease: boolean;
  /** The agent reported that this release failed on it: its message. */
  failure: string | null;
  status: 'CONNECTED' | 'DEGRADED' | 'OFFLINE';
}

/** Where each host should point: a release id, `THIS` (the release), or null (nothing). */
export interface VmDesiredEffect {
  type: 'SET_VM_DESIRED';
  hosts: { id: string; release: string | null }[];
}

/** The desired host pointers for a VM rollout in `state`. */
export function vmEffects(state: ReleaseState, vm: VmRollout, releaseId: string): VmDesiredEffect {
  if (state.status === 'SUCCEEDED') return { type: 'SET_VM_DESIRED', hosts: vm.hosts.map((h) => ({ id: h.id, release: releaseId })) };
  if (state.status === 'SUPERSEDED') return { type: 'SET_VM_DESIRED', hosts: [] };
  const final = state.status === 'FAILED' || state.status === 'ABORTED';
  const touched = vm.hosts.slice(0, Math.min(vm.index + 1, vm.hosts.length));
  return { type: 'SET_VM_DESIRED', hosts: touched.map((h) => ({ id: h.id, release: final ? h.previousReleaseId : releaseId })) };
}

/** Where a VM rollout stands after one observation. */
export type VmProgress =
  | { kind: 'WAITING'; vm: VmRollout; events: NewReleaseEvent[]; message: string; movedAt: Date | null }
  | { kind: 'DONE'; vm: VmRollout; events: NewReleaseEvent[] }
  | { kind: 'FAILED'; vm: VmRollout; events: NewReleaseEvent[]; message: string };

/**
 * Moves a VM rollout on by one observation: hosts that run the release (or were revoked) pass,
 * several at once; then the current host's reported failure or the deadline fails it. `waitingSince`
 * is when the current host was pointed at the release.
 */
export function stepVm(vm: VmRollout, obs: Observation, waitingSince: Date, deadlineSeconds: number, now: Date, event: (type: 'VM_HOST_UPDATED', at: Date, message: string) => NewReleaseEvent): VmProgress {
  const seen = new Map((obs.vmHosts ?? []).map((h) => [h.id, h]));
  let index = vm.index;
  const events: NewReleaseEvent[] = [];
  while (index < vm.hosts.length) {
    const host = vm.hosts[index]!;
    const o = seen.get(host.id);
    if (o && !o.runsRelease) break;
    events.push(event('VM_HOST_UPDATED', now, o ? `VM host ${host.name} runs the release, healthy (${index + 1}/${vm.hosts.length})` : `VM host ${host.name} was revoked: skipped`));
    index += 1;
  }
  const next = { ...vm, index };
  if (index >= vm.hosts.length) return { kind: 'DONE', vm: next, events };
  const host = vm.hosts[index]!;
  const o = seen.get(host.id)!;
  if (o.failure) return { kind: 'FAILED', vm: next, events, message: `VM host ${host.name} failed: ${o.failure}` };
  const since = events.length > 0 ? now : waitingSince;
  if (now.getTime() - since.getTime() > deadlineSeconds * 1000) {
    return { kind: 'FAILED', vm: next, events, message: `VM host ${host.name} did not run the release healthy within ${deadlineSeconds}s (it is ${o.status})` };
  }
  return { kind: 'WAITING', vm: next, events, message: `updating VM host ${host.name} (${index + 1}/${vm.hosts.length})`, movedAt: events.length > 0 ? now : null };
}

/** One observation of a `target: VM` release (see the file's comment). */
export function observeVm(
  state: ReleaseState,
  vm: VmRollout,
  obs: Observation,
  now: Date,
  helpers: {
    finish: (state: ReleaseState, status: 'SUCCEEDED' | 'FAILED', message: string, now: Date) => { state: ReleaseState; events: NewReleaseEvent[] };
    event: (type: 'VM_HOST_UPDATED', at: Date, message: string) => NewReleaseEvent;
    accept: (before: ReleaseState, next: ReleaseState, events: NewReleaseEvent[]) => TransitionResult;
  },
): TransitionResult {
  if (state.status === 'PAUSED') return helpers.accept(state, state, []);
  const progress = stepVm(vm, obs, state.waitingSince ?? now, state.progressDeadlineSeconds, now, helpers.event);
  const s = { ...state, vm: progress.vm };
  if (progress.kind === 'DONE') {
    const done = helpers.finish(s, 'SUCCEEDED', `all ${vm.hosts.length} VM hosts run the release, healthy`, now);
    return helpers.accept(state, done.state, [...progress.events, ...done.events]);
  }
  if (progress.kind === 'FAILED') {
    const done = helpers.finish(s, 'FAILED', progress.message, now);
    return helpers.accept(state, done.state, [...progress.events, ...done.events]);
  }
  return helpers.accept(state, { ...s, waitingSince: progress.movedAt ?? state.waitingSince ?? now, statusMessage: progress.message }, progress.events);
}
