import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from '../../embedded-cluster/controllers/cron-schedule.ts';
import { newReplicaSetReplicas, oldReplicaSetReplicas, surgeAndUnavailable } from '../../embedded-cluster/controllers/rollout.ts';
import type { JsonObject } from '../../embedded-cluster/objects.ts';
import { applyJsonPatch, applyMergePatch } from '../../embedded-cluster/patch.ts';
import { fromLabelSelector, parseLabelSelector } from '../../embedded-cluster/selectors.ts';
import { applyStrategicMergePatch } from '../../embedded-cluster/strategic-merge.ts';

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'api' }, false],
    ['app!=web', {}, true],
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env notin (prod)', { env: 'prod' }, false],
    ['canary', { canary: '' }, true],
    ['!canary', { canary: 'x' }, false],
    ['app=web,tier in (front)', { app: 'web', tier: 'front' }, true],
  ])('%s matching %j is %s', (selector, labels, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it('rejects malformed selectors with 400', () => {
    expect(() => parseLabelSelector('app in web')).toThrowError(expect.objectContaining({ code: 400 }));
  });

  it('treats a missing structured selector as matching nothing', () => {
    expect(fromLabelSelector(undefined).matches({ app: 'web' })).toBe(false);
    expect(fromLabelSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }).matches({ app: 'x' })).toBe(true);
  });
});

describe('patches', () => {
  it('merge patch deletes keys set to null and replaces lists', () => {
    expect(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({ a: 1, b: { d: 3 }, l: [3] });
  });

  it('json patch applies operations in order and fails a failed test with 422', () => {
    expect(applyJsonPatch({ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }, { op: 'copy', from: '/a', path: '/b' }])).toEqual({ a: [1, 2], b: [1, 2] });
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrowError(expect.objectContaining({ code: 422 }));
  });

  it('strategic merge deletes list items by merge key with $patch: delete and honours $setElementOrder', () => {
    const original = { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] } };
    const patch: JsonObject = { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }], containers: [{ name: 'a', $patch: 'delete' }, { name: 'c', image: '2' }] } };
    expect(applyStrategicMergePatch(original, patch)).toEqual({ spec: { containers: [{ name: 'c', image: '2' }, { name: 'b', image: '1' }] } });
  });

  it('strategic merge keeps only $retainKeys, as kubectl sends when switching deployment strategy', () => {
    const original = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } };
    expect(applyStrategicMergePatch(original, { strategy: { $retainKeys: ['type'], type: 'Recreate' } })).toEqual({ strategy: { type: 'Recreate' } });
  });

  it('strategic merge merges container ports by containerPort and service ports by port', () => {
    const container = { ports: [{ containerPort: 80, name: 'http' }] };
    expect(applyStrategicMergePatch(container, { ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 9090 }] })).toEqual({ ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 9090 }] });
    const service = { ports: [{ port: 80, targetPort: 8080 }] };
    expect(applyStrategicMergePatch(service, { ports: [{ port: 80, name: 'web' }] })).toEqual({ ports: [{ port: 80, targetPort: 8080, name: 'web' }] });
  });
});

describe('cron schedules', () => {
  const next = (expression: string, after: string) => parseCronSchedule(expression).next(new Date(after))?.toISOString();

  it.each([
    ['* * * * *', '2026-01-01T10:00:30Z', '2026-01-01T10:01:00.000Z'],
    ['*/15 * * * *', '2026-01-01T10:01:00Z', '2026-01-01T10:15:00.000Z'],
    ['0 9 * * mon-fri', '2026-01-02T10:00:00Z', '2026-01-05T09:00:00.000Z'],
    ['30 2 1 * *', '2026-01-01T03:00:00Z', '2026-02-01T02:30:00.000Z'],
    ['@hourly', '2026-01-01T10:59:59Z', '2026-01-01T11:00:00.000Z'],
  ])('%s after %s fires at %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it('should read a schedule in its time zone', () => {
    expect(parseCronSchedule('0 9 * * *', 'Europe/Berlin').next(new Date('2026-01-01T10:00:00Z'))?.toISOString()).toBe('2026-01-02T08:00:00.000Z');
    expect(() => parseCronSchedule('0 9 * * *', 'Mars/Olympus')).toThrow(/time zone/);
  });

  it('rejects expressions without five fields or with out-of-range values', () => {
    expect(() => parseCronSchedule('* * * *')).toThrow(/5 fields/);
    expect(() => parseCronSchedule('61 * * * *')).toThrow(/out of range/);
  });
});

describe('rolling update arithmetic', () => {
  it('resolves 25% surge up and 25% unavailable down, never both zero', () => {
    expect(surgeAndUnavailable(4, '25%', '25%')).toEqual({ surge: 1, unavailable: 1 });
    expect(surgeAndUnavailable(3, '25%', '25%')).toEqual({ surge: 1, unavailable: 0 });
    expect(surgeAndUnavailable(2, 0, 0)).toEqual({ surge: 0, unavailable: 1 });
  });

  it('scales the new ReplicaSet up only within maxSurge', () => {
    expect(newReplicaSetReplicas(4, 1, { name: 'new', desired: 0, available: 0 }, [{ name: 'old', desired: 4, available: 4 }])).toBe(1);
    expect(newReplicaSetReplicas(4, 1, { name: 'new', desired: 1, available: 0 }, [{ name: 'old', desired: 4, available: 4 }])).toBe(1);
  });

  it('scales old ReplicaSets down only as far as availability allows', () => {
    const targets = oldReplicaSetReplicas(4, 1, { name: 'new', desired: 1, available: 0 }, [{ name: 'old', desired: 4, available: 4 }]);
    expect(targets.get('old')).toBe(3);
    const afterReady = oldReplicaSetReplicas(4, 1, { name: 'new', desired: 2, available: 2 }, [{ name: 'old', desired: 3, available: 3 }]);
    expect(afterReady.get('old')).toBe(1);
  });
});
