import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, aUser, unique } from '../support/fixtures.ts';
import { expectNoLeak } from '../support/matrix.ts';
import { lastSeconds, lastValue, monitoringAvailable, WITH_MONITORING } from '../support/monitoring.ts';
import { aReleaseEnvironment, aSucceededRelease, atGate, createRelease, eventLog, poll, type ReleaseEnv } from '../support/releases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const METRICS = `query($id: ID!, $m: [StandardMetric!]!, $r: MetricRange!, $v: Boolean) {
  node(id: $id) { ... on Environment { metrics(metrics: $m, range: $r, byVersion: $v) { name version points { at value } } } } }`;
const CUSTOM = `query($id: ID!, $n: String!, $r: MetricRange!, $v: Boolean) {
  node(id: $id) { ... on Environment { customMetric(name: $n, range: $r, byVersion: $v) { name version points { at value } } } } }`;
const ENDPOINT = `mutation($app: ID!, $e: MetricsEndpointInput) { updateMetricsEndpoint(appId: $app, endpoint: $e) { id metricsEndpoint { port path } } }`;

describe.runIf(monitoringAvailable('app metrics'))('app metrics on a real Prometheus', () => {
  let t: TestServer;
  let env: ReleaseEnv;
  let appId: string;
  let canaryId: string;

  beforeAll(async () => {
    t = await startTestServer(WITH_MONITORING);
    env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2 });
    appId = (await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { app { id } } } }`, { id: env.id })).node.app.id;
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const canary = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0-errors', strategy: 'CANARY', canaryReplicas: 1, steps: [{ weight: 50, untilPromoted: true }, { weight: 100 }] });
    canaryId = canary.id;
    await atGate(t, canaryId, 0);
  }, 60_000);
  afterAll(() => t?.close());

  const metrics = async (m: string[], byVersion = false, seconds = 20) =>
    (await t.ok(METRICS, { id: env.id, m, r: lastSeconds(seconds), v: byVersion })).node.metrics as { name: string; version: string | null; points: { value: number | null }[] }[];

  it('should answer the six standard metrics of the environment from the simulated cluster', async () => {
    const all = ['CPU_CORES', 'MEMORY_BYTES', 'REQUESTS_PER_SECOND', 'ERROR_RATIO', 'LATENCY_P99_SECONDS', 'RESTARTS'];
    const series = await poll(async () => {
      const s = await metrics(all);
      const rps = lastValue(s.find((x) => x.name === 'REQUESTS_PER_SECOND'));
      return s.every((x) => lastValue(x) !== null) && rps !== null && rps > 15 ? s : null;
    }, 'every standard metric has data, at the simulated 20 requests per second', 30_000, 500);
    const value = (name: string) => lastValue(series.find((s) => s.name === name));
    expect(series.map((s) => s.name)).toEqual(all);
    expect(value('REQUESTS_PER_SECOND')).toBeLessThan(25);
    expect(value('CPU_CORES')).toBeGreaterThan(0);
    expect(value('MEMORY_BYTES')).toBeGreaterThan(50 * 1024 * 1024);
    expect(value('LATENCY_P99_SECONDS')).toBeLessThan(0.5);
    expect(value('RESTARTS')).toBe(0);
  }, 40_000);

  it('should show stable and canary side by side by version, the `errors` canary at about 20% 5xx', async () => {
    const series = await poll(async () => {
      const s = await metrics(['ERROR_RATIO'], true, 10);
      const canary = lastValue(s.find((x) => x.version === 'r2'));
      return canary !== null && canary > 0.1 && s.some((x) => x.version === 'r1') ? s : null;
    }, 'error ratio of both versions', 30_000, 500);
    expect(lastValue(series.find((s) => s.version === 'r1'))).toBe(0);
    expect(lastValue(series.find((s) => s.version === 'r2'))).toBeCloseTo(0.2, 1);
  }, 40_000);

  it('should report the observed weight of the canary near its applied 50%', async () => {
    const release = await poll(async () => {
      const r = (await t.ok(`query($id: ID!) { release(id: $id) { appliedWeight observedWeight analysis { passed } } }`, { id: canaryId })).release;
      // Over the last minute: it includes the time before the step's weight was applied, at first.
      return r.observedWeight !== null && r.observedWeight > 40 ? r : null;
    }, 'an observed weight over 40%', 60_000, 1000);
    expect(release.appliedWeight).toBe(50);
    expect(release.observedWeight).toBeGreaterThan(35);
    expect(release.observedWeight).toBeLessThan(60);
  }, 70_000);

  it("should make Prometheus scrape the app's endpoint on every pod, and tell a wrong port by `up`", async () => {
    const set = await t.ok(ENDPOINT, { app: appId, e: { port: 8080, path: '/metrics' } });
    expect(set.updateMetricsEndpoint.metricsEndpoint).toEqual({ port: 8080, path: '/metrics' });
    const up = await poll(async () => {
      const s = (await t.ok(CUSTOM, { id: env.id, n: 'up', r: lastSeconds(10), v: true })).node.customMetric;
      const values = s.map((x: any) => [x.version, lastValue(x)]);
      return JSON.stringify(values) === JSON.stringify([['r1', 2], ['r2', 1]]) ? values : null;
    }, 'up of both versions: 2 stable pods and 1 canary pod', 30_000, 500);
    expect(up).toEqual([['r1', 2], ['r2', 1]]);
    const requests = await poll(async () => lastValue((await t.ok(CUSTOM, { id: env.id, n: 'app_requests_total', r: lastSeconds(10) })).node.customMetric[0]), 'app_requests_total', 15_000, 500);
    expect(requests).toBeGreaterThan(0);

    await t.ok(ENDPOINT, { app: appId, e: { port: 9999, path: '/metrics' } });
    const down = await poll(async () => {
      const v = lastValue((await t.ok(CUSTOM, { id: env.id, n: 'up', r: lastSeconds(3) })).node.customMetric[0]);
      return v === 0 ? { v } : null;
    }, 'up is 0 on a port nothing listens on', 30_000, 500);
    expect(down.v).toBe(0);
  }, 70_000);

  it('should answer a clear error while its Prometheus is down, and data again once it was restarted', async () => {
    // Killed from outside, as the OOM killer would: found by the storage path under this server's data dir.
    const storage = `--storage.tsdb.path=${join(t.server.monitoring.dir, 'data')}`;
    const pid = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .find((entry) => {
        try {
          return readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(storage);
        } catch {
          return false; // exited meanwhile
        }
      });
    expect(pid, 'the managed Prometheus process').toBeDefined();
    process.kill(Number(pid), 'SIGKILL');
    const down = await poll(async () => {
      const res = await t.gql(METRICS, { id: env.id, m: ['REQUESTS_PER_SECOND'], r: lastSeconds(10) });
      return res.errors ? res : null;
    }, 'a metrics query fails while Prometheus is down', 10_000, 50);
    expect(down.status).toBe(200);
    expect(down.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(down.errors?.[0]?.message).toMatch(/Prometheus/);
    expectNoLeak(down);
    const back = await poll(async () => {
      const res = await t.gql(METRICS, { id: env.id, m: ['REQUESTS_PER_SECOND'], r: lastSeconds(10) });
      return !res.errors && lastValue(res.data?.node?.metrics?.[0]) !== null ? res : null;
    }, 'metrics answer again after the restart', 40_000, 500);
    expect(back.errors).toBeUndefined();
  }, 60_000);

  it("should never show another environment's series through customMetric", async () => {
    const other = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1 });
    const data = await t.ok(CUSTOM, { id: other.id, n: 'up', r: lastSeconds(10) });
    expect(data.node.customMetric).toEqual([{ name: 'up', version: null, points: [] }]);
  });

  it('should refuse invalid names, ranges, metric lists and endpoints without echoing them', async () => {
    const bad = async (query: string, variables: Record<string, unknown>, field: string) => {
      const res = await t.gql(query, variables);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(JSON.stringify(res.errors)).not.toContain('evil');
      expectNoLeak(res);
    };
    await bad(CUSTOM, { id: env.id, n: 'up{namespace="evil"}', r: lastSeconds(10) }, 'name');
    await bad(CUSTOM, { id: env.id, n: 'sum(evil)', r: lastSeconds(10) }, 'name');
    await bad(METRICS, { id: env.id, m: ['CPU_CORES', 'CPU_CORES'], r: lastSeconds(10) }, 'metrics');
    await bad(METRICS, { id: env.id, m: ['CPU_CORES'], r: { ...lastSeconds(86_400), stepSeconds: 1 } }, 'range.stepSeconds');
    await bad(METRICS, { id: env.id, m: ['CPU_CORES'], r: { start: new Date().toISOString(), end: new Date(Date.now() - 1000).toISOString(), stepSeconds: 1 } }, 'range.end');
    await bad(ENDPOINT, { app: appId, e: { port: 8080, path: '/../evil' } }, 'endpoint.path');
    await bad(ENDPOINT, { app: appId, e: { port: 0, path: '/metrics' } }, 'endpoint.port');
  });

  it('should let a VIEWER read metrics but only a DEVELOPER set the endpoint, and hide both from non-members', async () => {
    const viewer = await aUser(t);
    const developer = await aUser(t);
    const stranger = await aUser(t);
    await addMember(t, env.projectId, viewer.login, 'VIEWER');
    await addMember(t, env.projectId, developer.login, 'DEVELOPER');
    const read = await t.gql(METRICS, { id: env.id, m: ['REQUESTS_PER_SECOND'], r: lastSeconds(5) }, viewer.token);
    expect(read.errors).toBeUndefined();
    expect((await t.gql(ENDPOINT, { app: appId, e: null }, viewer.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(ENDPOINT, { app: appId, e: null }, stranger.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(METRICS, { id: env.id, m: ['REQUESTS_PER_SECOND'], r: lastSeconds(5) }, stranger.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const cleared = await t.ok(ENDPOINT, { app: appId, e: null }, developer.token);
    expect(cleared.updateMetricsEndpoint.metricsEndpoint).toBeNull();
    const audit = await t.ok(`query($id: ID!) { node(id: $id) { ... on Project { auditLog(first: 5) { nodes { action } } } } }`, { id: env.projectId });
    expect(audit.node.auditLog.nodes[0].action).toBe('app.metrics-endpoint');
  });

  it("should flag a step in the release's events when its observed weight stays far from the applied one, without canary analysis", async () => {
    expect((await eventLog(t, canaryId)).map((e) => e.type)).not.toContain('WEIGHT_DIVERGED');
    // The router reads back 50% but sends everything to stable.
    t.server.embedded!.faults.ignoreRouterWeights(env.namespace);
    const flagged = await poll(async () => (await eventLog(t, canaryId)).find((e) => e.type === 'WEIGHT_DIVERGED'), 'a WEIGHT_DIVERGED event', 45_000, 500);
    expect(flagged.weight).toBe(50);
    expect(flagged.stepIndex).toBe(0);
    expect(flagged.message).toMatch(/^step 1 \(50%\): observed weight \d+% stayed more than 10 points from the applied 50%/);
    expect(Number(/observed weight (\d+)%/.exec(flagged.message)![1])).toBeLessThan(40);
    // Once per step.
    await new Promise((r) => setTimeout(r, 6_000));
    expect((await eventLog(t, canaryId)).filter((e) => e.type === 'WEIGHT_DIVERGED')).toHaveLength(1);
    t.server.embedded!.faults.ignoreRouterWeights(env.namespace, false);
  }, 60_000);
});

describe('app metrics without Prometheus', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { GANTRY_MANAGED_MONITORING: '0' } });
  });
  afterAll(() => t?.close());

  it('should answer a clear error naming what is missing, with no stack, and a null observedWeight', async () => {
    const { aProject, anApp, anEnvironment } = await import('../support/fixtures.ts');
    const project = await aProject(t);
    const app = await anApp(t, project.id, unique('app'));
    const env = await anEnvironment(t, app.id);
    const res = await t.gql(METRICS, { id: env.id, m: ['CPU_CORES'], r: lastSeconds(10) });
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(res.errors?.[0]?.message).toMatch(/GANTRY_PROMETHEUS_URL.*prometheus/);
    expectNoLeak(res);
  });
});
