import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, wsExecute, type TestServer } from '../support/server.ts';

const METRICS_TOKEN = 'metrics-test-token-0123456789abcdef';

/** promtool, from the Debian package `prometheus`: .ci/run installs it, so in CI it must be there. */
function promtool(): string | null {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return 'promtool';
  if (process.env.CI === 'true') throw new Error('promtool is missing: .ci/run installs it with the `prometheus` package');
  return null;
}

/** The `operation` label values of gantry_graphql_operations_total in a scrape. */
function operationLabels(text: string): Set<string> {
  return new Set([...text.matchAll(/^gantry_graphql_operations_total\{operation="([^"]*)"/gm)].map((m) => m[1]!));
}

describe('/metrics', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ env: { GANTRY_METRICS_TOKEN: METRICS_TOKEN } });
  }, 180_000);
  afterAll(() => t?.close());

  it('should be served on its own loopback listener, and on the API port only to the metrics token', async () => {
    const metricsUrl = new URL(t.metricsUrl);
    expect(metricsUrl.hostname).toBe('127.0.0.1');
    expect(metricsUrl.port).not.toBe(new URL(t.url).port);
    expect(await t.scrape()).toContain('gantry_http_requests_total');
    expect((await fetch(new URL('/graphql', metricsUrl))).status).toBe(404);

    const onApiPort = t.url.replace('/graphql', '/metrics');
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', `Bearer ${ADMIN_TOKEN}`]) {
      const res = await fetch(onApiPort, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('gantry_graphql');
    }
    const allowed = await fetch(onApiPort, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('gantry_http_requests_total');
  });

  it('should label operations only with names authenticated callers used in valid documents, so client-chosen names cannot grow the scrape', async () => {
    await t.ok('query KnownName { viewer { login } }');
    const before = await t.scrape();
    // 200 requests with fresh names: anonymous, failing validation, or too long. Each used to be a new series.
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      requests.push(t.gql(`query Anonymous${i} { viewer { login } }`, {}, null));
      requests.push(t.gql(`query Invalid${i} { noSuchField }`));
      requests.push(t.gql(`query Long${'x'.repeat(70)}${i} { viewer { login } }`));
      requests.push(wsExecute(t.ws(), `query WsInvalid${i} { noSuchField }`));
    }
    await Promise.all(requests);
    const after = await t.scrape();

    const labels = operationLabels(after);
    expect(labels.has('KnownName')).toBe(true);
    expect([...labels].filter((l) => /^(Anonymous|Invalid|Long|WsInvalid)/.test(l))).toEqual([]);
    expect(after).toMatch(/gantry_graphql_operations_total\{operation="other",type="query",transport="http",outcome="UNAUTHENTICATED"\} 50/);
    expect(after.length - before.length).toBeLessThan(4_000);

    // A known name stays itself, also for callers who could not have added it.
    await t.gql('query KnownName { viewer { login } }', {}, null);
    expect(await t.scrape()).toMatch(/gantry_graphql_operations_total\{operation="KnownName",[^}]*outcome="UNAUTHENTICATED"\} 1/);
  });

  it('should use the standard process metric names and pass promtool check metrics', async () => {
    const text = await t.scrape();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).not.toContain('gantry_process_');

    const tool = promtool();
    if (!tool) {
      console.warn('promtool not installed (apt-get install prometheus): skipping `promtool check metrics` outside CI');
      return;
    }
    const check = spawnSync(tool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });
});
