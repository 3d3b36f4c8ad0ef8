import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_RELEASES, aReleaseEnvironment, aSucceededRelease, clusterRouteIs, createRelease, errorOf, eventLog, releaseUntil, tryCreateRelease, type ReleaseEnv } from '../support/releases.ts';
import { monitoringAvailable, WITH_MONITORING } from '../support/monitoring.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ANALYSIS = `query($id: ID!) { release(id: $id) { status statusMessage analysis { stepIndex metric value threshold passed } } }`;

describe.runIf(monitoringAvailable('canary analysis'))('canary analysis on a real Prometheus', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(WITH_MONITORING);
  }, 60_000);
  afterAll(() => t?.close());

  async function stableEnv(): Promise<ReleaseEnv> {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1 });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    return env;
  }

  it('should abort a canary whose error ratio exceeds the threshold, naming the metric, its value and the threshold', async () => {
    const env = await stableEnv();
    const release = await createRelease(t, {
      environmentId: env.id, image: 'registry.local/shop:2.0-errors', strategy: 'CANARY', canaryReplicas: 1,
      steps: [{ weight: 50, pauseSeconds: 1 }, { weight: 100 }],
      analysis: { maxErrorRatio: 0.05, intervalSeconds: 5, failureLimit: 1, minRequests: 10 },
    });
    const aborted = await releaseUntil(t, release.id, (r) => r.status === 'ABORTED', 'aborted by the analysis', 60_000);
    expect(aborted.statusMessage).toMatch(/error ratio 0\.\d+ > threshold 0\.05/);
    const types = (await eventLog(t, release.id)).map((e) => e.type);
    // The first window may hold fewer than minRequests while Prometheus sees the canary's first
    // scrapes (an ANALYSIS_WAITING then comes first); what is judged fails once and aborts.
    expect(types.slice(types.indexOf('WEIGHT_APPLIED')).filter((type) => type !== 'ANALYSIS_WAITING')).toEqual(['WEIGHT_APPLIED', 'ANALYSIS_FAILED', 'ABORTED']);
    const { release: read } = await t.ok(ANALYSIS, { id: release.id });
    expect(read.analysis).toHaveLength(1);
    expect(read.analysis[0]).toMatchObject({ stepIndex: 0, metric: 'ERROR_RATIO', threshold: 0.05, passed: false });
    expect(read.analysis[0].value).toBeGreaterThan(0.1);
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0 });
  }, 90_000);

  it('should hold a step until its analysis passed, then advance and succeed', async () => {
    const env = await stableEnv();
    const release = await createRelease(t, {
      environmentId: env.id, image: 'registry.local/shop:2.0', strategy: 'CANARY', canaryReplicas: 1,
      steps: [{ weight: 50, pauseSeconds: 1 }, { weight: 100 }],
      analysis: { maxErrorRatio: 0.05, maxLatencyP99Seconds: 0.5, intervalSeconds: 5, minRequests: 10 },
    });
    await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'succeeded after the analysis', 60_000);
    const events = await eventLog(t, release.id);
    const types = events.map((e) => e.type);
    const applied = types.indexOf('WEIGHT_APPLIED');
    const passed = types.indexOf('ANALYSIS_PASSED');
    expect(passed).toBeGreaterThan(applied);
    expect(types.indexOf('STEP_STARTED', applied)).toBeGreaterThan(passed);
    expect(events[passed]!.message).toMatch(/error ratio 0 ≤ threshold 0\.05, p99 latency \(s\) 0\.\d+ ≤ threshold 0\.5; observed weight \d+% \(applied 50%\)/);
    const { release: read } = await t.ok(ANALYSIS, { id: release.id });
    expect(read.analysis.map((m: any) => [m.metric, m.passed])).toEqual([['ERROR_RATIO', true], ['LATENCY_P99_SECONDS', true]]);
  }, 90_000);

  // A canary at 10% of the simulated 20 requests/s serves 2 a second: its first 5 s window holds about
  // 10 requests, too few to judge (with a handful a failing canary's rate can show no errors at all).
  it('should wait for enough canary requests before judging a thin canary, then abort it on what they show', async () => {
    const env = await stableEnv();
    const release = await createRelease(t, {
      environmentId: env.id, image: 'registry.local/shop:2.0-errors', strategy: 'CANARY', canaryReplicas: 1,
      steps: [{ weight: 10, pauseSeconds: 1 }, { weight: 100 }],
      analysis: { maxErrorRatio: 0.05, intervalSeconds: 5, minRequests: 30 },
    });
    const aborted = await releaseUntil(t, release.id, (r) => r.status === 'ABORTED' || r.status === 'SUCCEEDED', 'judged', 80_000);
    expect(aborted.status).toBe('ABORTED');
    const events = await eventLog(t, release.id);
    const types = events.map((e) => e.type);
    expect(types.slice(types.indexOf('WEIGHT_APPLIED'))).toEqual(['WEIGHT_APPLIED', 'ANALYSIS_WAITING', 'ANALYSIS_FAILED', 'ABORTED']);
    expect(events[types.indexOf('ANALYSIS_WAITING')]!.message).toMatch(/^step 0 \(10%\): canary analysis waits for traffic: \d+ of 30 canary requests in the last \d+ s$/);
    const { release: read } = await t.ok(ANALYSIS, { id: release.id });
    expect(read.analysis).toHaveLength(1);
    expect(read.analysis[0].value).toBeGreaterThan(0.1);
  }, 100_000);

  it('should refuse analysis on other strategies and thresholds out of range', async () => {
    const env = await stableEnv();
    const cases: [Record<string, unknown>, string][] = [
      [{ strategy: 'ROLLING', analysis: { maxErrorRatio: 0.1 } }, 'input.analysis'],
      [{ strategy: 'CANARY', analysis: {} }, 'input.analysis'],
      [{ strategy: 'CANARY', analysis: { maxErrorRatio: 2 } }, 'input.analysis.maxErrorRatio'],
      [{ strategy: 'CANARY', analysis: { maxLatencyP99Seconds: 1, intervalSeconds: 1 } }, 'input.analysis.intervalSeconds'],
      [{ strategy: 'CANARY', analysis: { maxLatencyP99Seconds: 1, failureLimit: 0 } }, 'input.analysis.failureLimit'],
      [{ strategy: 'CANARY', analysis: { maxLatencyP99Seconds: 1, minRequests: 0 } }, 'input.analysis.minRequests'],
    ];
    for (const [input, field] of cases) {
      expect(errorOf(await tryCreateRelease(t, { environmentId: env.id, image: 'registry.local/shop:3.0', ...input }))).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('canary analysis without Prometheus', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...FAST_RELEASES, env: { ...FAST_RELEASES.env, GANTRY_MANAGED_MONITORING: '0' } });
  }, 60_000);
  afterAll(() => t?.close());

  it('should not pass a step without data: the release waits, then fails at its deadline with traffic on stable', async () => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1 });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const release = await createRelease(t, {
      environmentId: env.id, image: 'registry.local/shop:2.0', strategy: 'CANARY', canaryReplicas: 1, progressDeadlineSeconds: 3,
      steps: [{ weight: 50 }, { weight: 100 }],
      analysis: { maxErrorRatio: 0.05, intervalSeconds: 5 },
    });
    const failed = await releaseUntil(t, release.id, (r) => r.status === 'FAILED', 'failed at the deadline', 30_000);
    expect(failed.statusMessage).toMatch(/canary analysis of step 0 \(50%\) did not pass within 3s/);
    const types = (await eventLog(t, release.id)).map((e) => e.type);
    expect(types).toContain('WEIGHT_APPLIED');
    expect(types).not.toContain('ANALYSIS_PASSED');
    await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0 });
  }, 60_000);
});
