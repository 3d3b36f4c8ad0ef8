import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MAX_OPERATION_LABELS, OperationLabels } from '../../server/metrics.ts';
import { createClusterMetrics, MAX_CLUSTER_LABELS } from '../../services/cluster/metrics.ts';

describe('bounded metric labels', () => {
  it('should admit at most MAX_OPERATION_LABELS operation names, only when told to, only well-formed ones', () => {
    const labels = new OperationLabels(MAX_OPERATION_LABELS);
    expect(labels.label('Before')).toBe('other');
    expect(labels.label(null)).toBe('anonymous');
    expect(labels.label('x'.repeat(65), true)).toBe('other');
    expect(labels.label('has-dash', true)).toBe('other');
    for (let i = 0; i < MAX_OPERATION_LABELS; i++) expect(labels.label(`Name${i}`, true)).toBe(`Name${i}`);
    expect(labels.label('OneTooMany', true)).toBe('other');
    expect(labels.label('Name7')).toBe('Name7');
  });

  it('should cap cluster names and error reasons on the cluster watch metrics', async () => {
    const registry = new Registry();
    const metrics = createClusterMetrics(registry);
    for (let i = 0; i < MAX_CLUSTER_LABELS + 50; i++) {
      metrics.connects.inc({ cluster: `c${i}`, kind: 'pods' });
      metrics.cachedObjects.set({ cluster: `c${i}`, kind: 'pods' }, i);
    }
    metrics.errors.inc({ cluster: 'c1', kind: 'pods', reason: `a long and odd reason ${'x'.repeat(100)}` });
    const clusters = new Set((await metrics.connects.get()).values.map((v) => v.labels.cluster));
    expect(clusters.size).toBe(MAX_CLUSTER_LABELS + 1);
    expect(clusters.has('other')).toBe(true);
    expect((await metrics.connects.get()).values.find((v) => v.labels.cluster === 'other')?.value).toBe(50);
    expect(new Set((await metrics.cachedObjects.get()).values.map((v) => v.labels.cluster)).size).toBe(MAX_CLUSTER_LABELS + 1);
    expect((await metrics.errors.get()).values.map((v) => v.labels.reason)).toEqual(['other']);
  });
});
