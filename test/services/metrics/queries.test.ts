import { describe, expect, it } from 'vitest';
import { observedWeightNote } from '../../../services/metrics/analysis.ts';
import { customMetricQuery, quote, standardMetricQuery } from '../../../services/metrics/queries.ts';
import { checkMetricName, checkRange } from '../../../services/metrics/range.ts';

const scope = { cluster: 'embedded', namespace: 'shop-prod', app: 'shop' };

describe('metric queries', () => {
  it('should scope every standard metric to the cluster, namespace and app', () => {
    for (const metric of ['CPU_CORES', 'MEMORY_BYTES', 'REQUESTS_PER_SECOND', 'ERROR_RATIO', 'LATENCY_P99_SECONDS', 'RESTARTS'] as const) {
      const { expr } = standardMetricQuery(metric, scope, false, 60);
      expect(expr).toContain('cluster="embedded"');
      expect(expr).toMatch(/namespace="shop-prod"/);
      expect(expr).toMatch(/(destination_canonical_service|label_app_kubernetes_io_name)="shop"/);
    }
  });

  it("should only ever select the app's own scrape targets for a custom metric", () => {
    expect(customMetricQuery('up', scope, true).expr).toBe('sum by (version) (up{job="gantry-apps",cluster="embedded",namespace="shop-prod",app="shop"})');
    expect(() => customMetricQuery('up{namespace="x"}', scope, false)).toThrow();
  });

  it('should refuse names and ranges that are not what they claim', () => {
    for (const name of ['up{}', 'sum(up)', 'up or vector(1)', '9up', 'a'.repeat(201)]) expect(() => checkMetricName(name)).toThrow(/metric name/);
    expect(() => checkRange({ start: new Date(0), end: new Date(40 * 86_400_000), stepSeconds: 3600 })).toThrow(/31 days/);
  });

  it('should escape quotes and backslashes in a PromQL string', () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('should flag an observed weight more than 10 points from the applied one', () => {
    expect(observedWeightNote(48, 50)).toBe('; observed weight 48% (applied 50%)');
    expect(observedWeightNote(20, 50)).toContain('FLAGGED: observed weight far from applied');
    expect(observedWeightNote(null, 50)).toBe('');
  });
});
