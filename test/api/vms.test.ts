import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../../services/metrics/managed-process.ts';
import { addMember, aProject, anApp, anEnvironment, aUser } from '../support/fixtures.ts';
import { poll } from '../support/releases.ts';
import { outcome, startTestServer, type TestServer } from '../support/server.ts';

const REGISTER = `mutation($e: ID!, $n: String!) { registerVmHost(environmentId: $e, name: $n) { token host { id name status version healthy lastSeenAt } } }`;
const REPORT = `mutation($i: VmHostReportInput!) { reportVmHostStatus(input: $i) { name status version healthy address } }`;
const HOSTS = `query($id: ID!) { node(id: $id) { ... on Environment { vmHosts { name status version healthy message } } } }`;
const haproxy = findBinary('haproxy');

/** The first `n` values a subscription sends. */
function firstValues(client: Client, query: string, variables: Record<string, unknown>, n: number): { values: Promise<any[]>; stop: () => void } {
  const got: any[] = [];
  let stop = () => {};
  const values = new Promise<any[]>((resolve, reject) => {
    stop = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
          got.push(value.data);
          if (got.length === n) resolve(got);
        },
        error: reject,
        complete: () => resolve(got),
      },
    );
  });
  return { values, stop: () => stop() };
}

describe('VM hosts', () => {
  let t: TestServer;
  let env: { id: string };
  let projectId: string;

  beforeAll(async () => {
    t = await startTestServer({ env: { GANTRY_VM_OFFLINE_SECONDS: '2' } });
    const project = await aProject(t);
    projectId = project.id;
    const app = await anApp(t, project.id, 'shop');
    env = await anEnvironment(t, app.id, { name: 'prod' });
  });
  afterAll(() => t?.close());

  it('should return a host token once, OFFLINE until its agent reports, and refuse bad or duplicate names', async () => {
    const { registerVmHost } = await t.ok(REGISTER, { e: env.id, n: 'vm-a' });
    expect(registerVmHost.token).toMatch(/^gvh_/);
    expect(registerVmHost.host).toMatchObject({ name: 'vm-a', status: 'OFFLINE', version: null, healthy: false, lastSeenAt: null });
    expect(outcome(await t.gql(REGISTER, { e: env.id, n: 'vm-a' }))).toBe('CONFLICT');
    const bad = await t.gql(REGISTER, { e: env.id, n: 'VM_A; rm' });
    expect(outcome(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.extensions!.field).toBe('name');
    const audit = await t.ok(`query($id: ID!) { node(id: $id) { ... on Project { auditLog(first: 20) { nodes { action details } } } } }`, { id: projectId });
    const entry = audit.node.auditLog.nodes.find((n: any) => n.action === 'vm-host.register');
    expect(JSON.stringify(entry)).not.toContain(registerVmHost.token);
  });

  it('should let only maintainers register hosts, and viewers read them', async () => {
    const developer = await aUser(t);
    const viewer = await aUser(t);
    const stranger = await aUser(t);
    await addMember(t, projectId, developer.login, 'DEVELOPER');
    await addMember(t, projectId, viewer.login, 'VIEWER');
    expect(outcome(await t.gql(REGISTER, { e: env.id, n: 'vm-dev' }, developer.token))).toBe('FORBIDDEN');
    expect(outcome(await t.gql(REGISTER, { e: env.id, n: 'vm-x' }, stranger.token))).toBe('NOT_FOUND');
    const read = await t.ok(HOSTS, { id: env.id }, viewer.token);
    expect(read.node.vmHosts.map((h: any) => h.name)).toContain('vm-a');
  });

  it('should let a host token report only its own host and do nothing else', async () => {
    const { registerVmHost: a } = await t.ok(REGISTER, { e: env.id, n: 'vm-b' });
    const { reportVmHostStatus } = await t.ok(REPORT, { i: { version: 'r3', healthy: true, port: 18080 } }, a.token);
    expect(reportVmHostStatus).toEqual({ name: 'vm-b', status: 'CONNECTED', version: 'r3', healthy: true, address: '127.0.0.1:18080' });
    // Everything a person may do is closed to it.
    expect(outcome(await t.gql(`{ viewer { login } }`, {}, a.token))).toBe('UNAUTHENTICATED');
    expect(outcome(await t.gql(HOSTS, { id: env.id }, a.token))).toBe('UNAUTHENTICATED');
    expect(outcome(await t.gql(REGISTER, { e: env.id, n: 'vm-c' }, a.token))).toBe('UNAUTHENTICATED');
    // And a person cannot report for a host.
    expect(outcome(await t.gql(REPORT, { i: { healthy: true, port: 1 } }))).toBe('UNAUTHENTICATED');
    expect(outcome(await t.gql(REPORT, { i: { healthy: true, port: 70000 } }, a.token))).toBe('BAD_USER_INPUT');
    expect(outcome(await t.gql(REPORT, { i: { healthy: true, port: 80, host: 'a b' } }, a.token))).toBe('BAD_USER_INPUT');
  });

  it('should show DEGRADED for an unhealthy app and OFFLINE once the agent is silent past the deadline', async () => {
    const { registerVmHost: h } = await t.ok(REGISTER, { e: env.id, n: 'vm-d' });
    await t.ok(REPORT, { i: { version: 'r3', healthy: false, port: 18081, message: 'health check failed' } }, h.token);
    const hostOf = async () => (await t.ok(HOSTS, { id: env.id })).node.vmHosts.find((x: any) => x.name === 'vm-d');
    expect(await hostOf()).toMatchObject({ status: 'DEGRADED', healthy: false, message: 'health check failed' });
    await poll(async () => (await hostOf()).status === 'OFFLINE' || null, 'vm-d OFFLINE', 10_000, 200);
  });

  it('should stream host changes with vmHostsChanged, status by status', async () => {
    const { registerVmHost: h } = await t.ok(REGISTER, { e: env.id, n: 'vm-e' });
    const stream = firstValues(t.ws(), `subscription($e: ID!) { vmHostsChanged(environmentId: $e) { name status version } }`, { e: env.id }, 2);
    await new Promise((r) => setTimeout(r, 500));
    await t.ok(REPORT, { i: { version: 'r4', healthy: true, port: 18082 } }, h.token);
    const values = await stream.values;
    stream.stop();
    const own = values.map((v) => v.vmHostsChanged).filter((v) => v.name === 'vm-e');
    expect(own[0]).toEqual({ name: 'vm-e', status: 'CONNECTED', version: 'r4' });
    await poll(async () => own.length >= 1 || null, 'own change');
  });

  it('should keep a host CONNECTED on vmHostsChanged while its agent reports, and send OFFLINE once it goes quiet', async () => {
    const { registerVmHost: h } = await t.ok(REGISTER, { e: env.id, n: 'vm-k' });
    const seen: { name: string; status: string }[] = [];
    const stop = t.ws().subscribe(
      { query: `subscription($e: ID!) { vmHostsChanged(environmentId: $e) { name status } }`, variables: { e: env.id } },
      { next: (value) => void (value.data && seen.push((value.data as any).vmHostsChanged)), error: () => undefined, complete: () => undefined },
    );
    await new Promise((r) => setTimeout(r, 500));
    // Heartbeats that change nothing are not announced: 4 s of them, twice the 2 s deadline.
    const report = () => t.ok(REPORT, { i: { version: 'r5', healthy: true, port: 18083 } }, h.token);
    for (const until = Date.now() + 4_000; Date.now() < until; ) {
      await report();
      await new Promise((r) => setTimeout(r, 300));
    }
    const own = () => seen.filter((v) => v.name === 'vm-k').map((v) => v.status);
    expect(own()).toEqual(['CONNECTED']);
    await poll(async () => own().at(-1) === 'OFFLINE' || null, 'vm-k OFFLINE on the stream once quiet', 10_000, 100);
    stop();
    expect(own()).toEqual(['CONNECTED', 'OFFLINE']);
  });

  it("should send an agent its own host's desired state and nothing of another host's", async () => {
    const { registerVmHost: a } = await t.ok(REGISTER, { e: env.id, n: 'vm-f' });
    const { registerVmHost: b } = await t.ok(REGISTER, { e: env.id, n: 'vm-g' });
    const query = `subscription { vmDesiredState { host { name } version tarballUrl digest env { name } files { path } retired } }`;
    const sa = firstValues(t.ws(a.token), query, {}, 1);
    const sb = firstValues(t.ws(b.token), query, {}, 1);
    // Nothing to run yet: no config either (variables, secrets and files come with a release).
    expect((await sa.values)[0].vmDesiredState).toEqual({ host: { name: 'vm-f' }, version: null, tarballUrl: null, digest: null, env: [], files: [], retired: false });
    expect((await sb.values)[0].vmDesiredState.host.name).toBe('vm-g');
    sa.stop();
    sb.stop();
    const leak = firstValues(t.ws(a.token), `subscription { vmDesiredState { host { environment { id } } } }`, {}, 1);
    await expect(leak.values).rejects.toThrow(/UNAUTHENTICATED|Authentication/);
  });

  it('should refuse a revoked token at once', async () => {
    const { registerVmHost: h } = await t.ok(REGISTER, { e: env.id, n: 'vm-h' });
    expect(await t.ok(`mutation($id: ID!) { revokeVmHost(id: $id) }`, { id: h.host.id })).toEqual({ revokeVmHost: true });
    const res = await t.gql(REPORT, { i: { healthy: true, port: 18083 } }, h.token);
    expect(outcome(res)).toBe('UNAUTHENTICATED');
    expect((await t.ok(HOSTS, { id: env.id })).node.vmHosts.map((x: any) => x.name)).not.toContain('vm-h');
  });

  it.skipIf(!haproxy && process.env.CI !== 'true')('should read the split back from HAProxy and refuse to retire the pool before the cloud has 100%', async () => {
    const { node } = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { trafficSplit { frontend vmWeight cloudWeight appliedAt } } } }`, { id: env.id });
    expect(node.trafficSplit).toMatchObject({ vmWeight: 100, cloudWeight: 0, appliedAt: null });
    expect(node.trafficSplit.frontend).toMatch(/^127\.0\.0\.1:\d+$/);
    const res = await t.gql(`mutation($e: ID!) { retireVmPool(environmentId: $e) { id } }`, { e: env.id });
    expect(outcome(res)).toBe('CONFLICT');
    expect(res.errors![0]!.message).toContain('100%');
  });

  it.skipIf(!haproxy && process.env.CI !== 'true')('should retire the pool once HAProxy reads back 100% for the cloud, and tell the agents', async () => {
    const { registerVmHost: h } = await t.ok(REGISTER, { e: env.id, n: 'vm-z' });
    // What a joint release's last step does (test/vms covers that path end to end): the cloud weight set on the real HAProxy.
    await t.server.vms.balancer.applySplit(Buffer.from(env.id, 'base64url').toString().split(':')[1]!.replace(/-/g, ''), 100);
    const { retireVmPool } = await t.ok(`mutation($e: ID!) { retireVmPool(environmentId: $e) { trafficSplit { vmWeight cloudWeight } } }`, { e: env.id });
    expect(retireVmPool.trafficSplit).toMatchObject({ vmWeight: 0, cloudWeight: 100 });
    const desired = firstValues(t.ws(h.token), `subscription { vmDesiredState { retired version } }`, {}, 1);
    expect((await desired.values)[0].vmDesiredState).toEqual({ retired: true, version: null });
    desired.stop();
  });
});
