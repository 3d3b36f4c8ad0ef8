import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aClosedPort, aKubeconfig } from '../support/kubeconfigs.ts';
import { capturingLogger } from '../support/log-lines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const REGISTER = 'mutation($n: String!, $k: String!) { registerCluster(name: $n, kubeconfig: $k) { name status } }';

describe('a cluster on a closed port', () => {
  let t: TestServer;
  const { logger, lines } = capturingLogger();
  beforeAll(async () => {
    t = await startTestServer({ env: { GANTRY_EMBEDDED_CLUSTER: '0' }, start: { clusters: undefined, logger } });
  });
  afterAll(() => t.close());

  /** How long a restart takes with no cluster at all: the machine's own pace, for comparison. */
  let baselineRestartMs = 0;

  it('should be registered at once, UNREACHABLE, connecting in the background', async () => {
    const server = `https://127.0.0.1:${await aClosedPort()}`;
    const started0 = performance.now();
    await t.restart();
    baselineRestartMs = performance.now() - started0;
    // Warm up the paths a first request compiles, so the timing below is the registration's own.
    await t.gql(REGISTER, { n: 'warm', k: aKubeconfig({ server: 'http://10.0.0.1' }) });
    const started = performance.now();
    const data = await t.ok(REGISTER, { n: 'far', k: aKubeconfig({ server }) });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(data.registerCluster).toEqual({ name: 'far', status: 'UNREACHABLE' });
    // What the release engine checks before it observes: an unlisted cache is "unknown", not "empty".
    expect(t.server.clusters.port('far')!.synced()).toBe(false);
  });

  it('should log at most one failure line per watch while it stays down', async () => {
    await new Promise((r) => setTimeout(r, 4000));
    const failures = lines.filter((l) => l.cluster === 'far' && l.msg === 'cluster watch failed; retrying');
    // Six watched kinds; without the rate limit each retries (and logged) 3 times or more in 4 s.
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThanOrEqual(6);
    expect(new Set(failures.map((l) => l.kind)).size).toBe(failures.length);
    expect(lines.filter((l) => l.cluster === 'far').length).toBeLessThanOrEqual(8);
  });

  it('should not hold up a fresh start: /readyz answers quickly with the cluster still down', async () => {
    const started = performance.now();
    await t.restart();
    const ready = await fetch(new URL('/readyz', t.url));
    const elapsed = performance.now() - started;
    expect(ready.status).toBe(200);
    // Before, start-up waited 10 s for the cluster's watches to sync; now it does not wait at all.
    expect(elapsed).toBeLessThan(baselineRestartMs + 3000);
    const listed = await t.ok('{ clusters { name status } }');
    expect(listed.clusters).toEqual([{ name: 'far', status: 'UNREACHABLE' }]);
  });
});
