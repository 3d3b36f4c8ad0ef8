import { describe, expect, it } from 'vitest';
import { desiredEffects, startRelease, transition } from '../../../services/releases/machine.ts';
import { desiredCloudWeight } from '../../../services/releases/joint-steps.ts';
import { vmEffects, type ObservedVmHost } from '../../../services/releases/vm-steps.ts';
import type { Observation, ReleaseState, Transition } from '../../../services/releases/model.ts';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const after = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const HOSTS = ['vm-a', 'vm-b'].map((name, i) => ({ id: `h${i}`, name, previousReleaseId: 'old' }));

function aVmRelease(joint: boolean): ReleaseState {
  const steps = joint ? [{ weight: 10, pauseSeconds: null, untilPromoted: true }, { weight: 100, pauseSeconds: null, untilPromoted: false }] : [{ weight: 100, pauseSeconds: null, untilPromoted: false }];
  const { next } = startRelease({ strategy: joint ? 'CANARY' : 'ROLLING', steps, canaryReplicas: 2, replicas: 2, progressDeadlineSeconds: 60, isRollback: false }, T0);
  const vm = { hosts: HOSTS, index: 0 };
  return joint ? { ...next, strategy: 'ROLLING', status: 'PROGRESSING', vm, joint: { phase: 'VMS', startCloudWeight: 0 } } : { ...next, vm };
}

function host(id: string, patch: Partial<ObservedVmHost> = {}): ObservedVmHost {
  return { id, name: id === 'h0' ? 'vm-a' : 'vm-b', runsRelease: false, failure: null, status: 'CONNECTED', ...patch };
}

function observed(patch: Partial<Observation> = {}): Observation {
  return { type: 'OBSERVED', routerReady: false, appliedCanaryWeight: null, canaryReadyReplicas: 0, canaryDesiredReplicas: 0, stableReadyReplicas: 2, deploymentUpdated: false, deploymentAvailable: false, vmHosts: [host('h0'), host('h1')], splitCloudWeight: 0, ...patch };
}

function step(state: ReleaseState, obs: Observation, at: Date): Transition {
  const result = transition(state, obs, at);
  if ('error' in result) throw new Error(result.error.message);
  return result;
}

describe('releases to VM hosts (target VM)', () => {
  it('should point one host at a time and succeed once every host runs the release healthy', () => {
    const start = aVmRelease(false);
    expect(vmEffects(start, start.vm!, 'rel').hosts).toEqual([{ id: 'h0', release: 'rel' }]);
    const first = step(start, observed({ vmHosts: [host('h0', { runsRelease: true }), host('h1')] }), after(5));
    expect(first.events.map((e) => e.message)).toEqual(['VM host vm-a runs the release, healthy (1/2)']);
    expect(first.next.vm!.index).toBe(1);
    expect(vmEffects(first.next, first.next.vm!, 'rel').hosts.map((h) => h.id)).toEqual(['h0', 'h1']);
    const done = step(first.next, observed({ vmHosts: [host('h0', { runsRelease: true }), host('h1', { runsRelease: true })] }), after(9));
    expect(done.next.status).toBe('SUCCEEDED');
    expect(desiredEffects(done.next)).toEqual([]);
  });

  it('should fail naming the host whose agent reported a failure, and point reached hosts back', () => {
    const start = aVmRelease(false);
    const failed = step(start, observed({ vmHosts: [host('h0', { failure: 'tarball digest mismatch', status: 'DEGRADED' }), host('h1')] }), after(3));
    expect(failed.next).toMatchObject({ status: 'FAILED', statusMessage: 'VM host vm-a failed: tarball digest mismatch' });
    expect(vmEffects(failed.next, failed.next.vm!, 'rel').hosts).toEqual([{ id: 'h0', release: 'old' }]);
  });

  it('should fail naming a host still OFFLINE past the deadline, and not before', () => {
    const start = aVmRelease(false);
    const offline = observed({ vmHosts: [host('h0', { status: 'OFFLINE' }), host('h1')] });
    expect(step(start, offline, after(59)).next.status).toBe('PROGRESSING');
    expect(step(start, offline, after(61)).next.statusMessage).toBe('VM host vm-a did not run the release healthy within 60s (it is OFFLINE)');
  });
});

describe('joint releases (target JOINT)', () => {
  const vmsDone = [host('h0', { runsRelease: true }), host('h1', { runsRelease: true })];

  it('should update the VMs, then the cluster, then move the cloud weight once HAProxy reads it back, gated for promotion', () => {
    let s = aVmRelease(true);
    expect(desiredEffects(s)).toEqual([]);
    s = step(s, observed({ vmHosts: vmsDone }), after(5)).next;
    expect(s.joint!.phase).toBe('CLUSTER');
    expect(desiredEffects(s)).toEqual([{ type: 'UPDATE_DEPLOYMENT', strategy: 'ROLLING' }]);
    const cluster = step(s, observed({ vmHosts: vmsDone, deploymentUpdated: true, deploymentAvailable: true }), after(10));
    expect(cluster.events.map((e) => e.type)).toEqual(['PODS_READY']);
    s = cluster.next;
    const started = step(s, observed({ vmHosts: vmsDone, deploymentUpdated: true, deploymentAvailable: true }), after(11));
    expect(started.events.map((e) => [e.type, e.weight])).toEqual([['STEP_STARTED', 10]]);
    expect(desiredCloudWeight(started.next, started.next.joint!)).toBe(10);
    const applied = step(started.next, observed({ vmHosts: vmsDone, deploymentAvailable: true, deploymentUpdated: true, splitCloudWeight: 10 }), after(12));
    expect(applied.events.map((e) => [e.type, e.weight, e.message])).toEqual([
      ['WEIGHT_APPLIED', 10, 'step 0 (10% cloud): the load balancer reads back 90% VMs / 10% cloud'],
      ['PAUSED', 10, 'step 0 (10% cloud) waits for promotion'],
    ]);
    expect(applied.next.status).toBe('PAUSED');
    const promoted = transition(applied.next, { type: 'PROMOTE', expectedStepIndex: 0 }, after(20));
    if (!('next' in promoted)) throw new Error('promote refused');
    expect(promoted.next.status).toBe('PROGRESSING');
    const ready = observed({ vmHosts: vmsDone, deploymentAvailable: true, deploymentUpdated: true, splitCloudWeight: 10 });
    const last = step(promoted.next, ready, after(21));
    expect(last.events.map((e) => [e.type, e.weight])).toEqual([['STEP_STARTED', 100]]);
    const full = step(last.next, { ...ready, splitCloudWeight: 100 }, after(22));
    const done = step(full.next, { ...ready, splitCloudWeight: 100 }, after(23));
    expect([...full.events, ...done.events].map((e) => e.type)).toEqual(['WEIGHT_APPLIED', 'SUCCEEDED']);
    expect(done.next.status).toBe('SUCCEEDED');
  });

  it('should hold a timed step for its pause after HAProxy reads it back, then start the next', () => {
    const ready = observed({ vmHosts: vmsDone, deploymentUpdated: true, deploymentAvailable: true });
    const { next: begun } = startRelease({ strategy: 'CANARY', steps: [{ weight: 40, pauseSeconds: 30, untilPromoted: false }, { weight: 100, pauseSeconds: null, untilPromoted: false }], canaryReplicas: 2, replicas: 2, progressDeadlineSeconds: 60, isRollback: false }, T0);
    let s: ReleaseState = { ...begun, strategy: 'ROLLING', status: 'PROGRESSING', vm: { hosts: HOSTS, index: 2 }, joint: { phase: 'TRAFFIC', startCloudWeight: 0 } };
    s = step(s, ready, after(1)).next;
    s = step(s, { ...ready, splitCloudWeight: 40 }, after(2)).next;
    expect(step(s, { ...ready, splitCloudWeight: 40 }, after(31)).next.steps[0]!.status).toBe('RUNNING');
    s = step(s, { ...ready, splitCloudWeight: 40 }, after(33)).next;
    expect(s.steps[0]!.status).toBe('DONE');
    const last = step(s, { ...ready, splitCloudWeight: 40 }, after(34));
    expect(last.events.map((e) => [e.type, e.weight])).toEqual([['STEP_STARTED', 100]]);
    expect(desiredCloudWeight(last.next, last.next.joint!)).toBe(100);
  });

  it('should not start a step while a VM host is DEGRADED, and fail at the deadline naming it', () => {
    let s = aVmRelease(true);
    s = step(s, observed({ vmHosts: vmsDone }), after(1)).next;
    s = step(s, observed({ vmHosts: vmsDone, deploymentUpdated: true, deploymentAvailable: true }), after(2)).next;
    const degraded = observed({ vmHosts: [host('h0', { runsRelease: true }), host('h1', { status: 'DEGRADED' })], deploymentUpdated: true, deploymentAvailable: true });
    const waiting = step(s, degraded, after(30));
    expect(waiting.next.currentStepIndex).toBeNull();
    expect(waiting.next.statusMessage).toContain('VM host vm-b DEGRADED');
    const failed = step(waiting.next, degraded, after(70));
    expect(failed.next.status).toBe('FAILED');
    expect(failed.next.statusMessage).toContain('vm-b DEGRADED');
  });

  it('should fail a step HAProxy never reads back at the deadline, and want the split back where it started', () => {
    let s = aVmRelease(true);
    s = step(s, observed({ vmHosts: vmsDone }), after(1)).next;
    s = step(s, observed({ vmHosts: vmsDone, deploymentUpdated: true, deploymentAvailable: true }), after(2)).next;
    s = step(s, observed({ vmHosts: vmsDone, deploymentUpdated: true, deploymentAvailable: true }), after(3)).next;
    const unreachable = observed({ vmHosts: vmsDone, deploymentUpdated: true, deploymentAvailable: true, splitCloudWeight: null });
    expect(step(s, unreachable, after(50)).next.status).toBe('PROGRESSING');
    const failed = step(s, unreachable, after(64)).next;
    expect(failed.status).toBe('FAILED');
    expect(failed.statusMessage).toContain('the load balancer did not apply step 0 (10% cloud) within 60s');
    expect(desiredCloudWeight(failed, failed.joint!)).toBe(0);
    expect(desiredEffects(failed)).toEqual([{ type: 'RESTORE_DEPLOYMENT', strategy: 'ROLLING' }]);
  });
});
