import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, freePort } from '../../services/metrics/managed-process.ts';
import { serversState } from '../../services/vms/haproxy-socket.ts';
import { eventually } from '../support/cluster.ts';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import { outcome, startTestServer, type TestServer } from '../support/server.ts';

const haproxy = findBinary('haproxy');
if (!haproxy && process.env.CI === 'true') throw new Error('the external HAProxy test needs haproxy (apt-get install haproxy)');
if (!haproxy) console.warn('SKIPPED: the external HAProxy test needs haproxy');

const SPLIT = `query($id: ID!) { node(id: $id) { ... on Environment { trafficSplit { vmWeight cloudWeight appliedAt } } } }`;

/** A stand-in side answering with its name (what the test checks is who routes, not the sides). */
async function side(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_, res) => res.writeHead(200).end(name));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/', timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body : `HTTP ${res.statusCode}`));
    })
      .on('error', reject)
      .end();
  });
}

// An HAProxy that is not Gantry's: its owner's configuration (named as Gantry names its objects),
// its own admin socket, started and stopped by this test. Gantry is given the socket only.
describe.skipIf(!haproxy)('an external HAProxy (GANTRY_HAPROXY_SOCKET)', () => {
  let dir: string;
  let t: TestServer;
  let child: ChildProcess | null = null;
  let vm: Awaited<ReturnType<typeof side>>;
  let cloud: Awaited<ReturnType<typeof side>>;
  let env: { id: string };
  let key: string;
  let frontend: number;
  let config: string;
  const socket = () => join(dir, 'owner-admin.sock');
  const configFile = () => join(dir, 'owner-haproxy.cfg');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gantry-external-haproxy-'));
    t = await startTestServer({ env: { GANTRY_HAPROXY_SOCKET: socket(), GANTRY_DATA_DIR: join(dir, 'gantry') } });
    const project = await aProject(t);
    const app = await anApp(t, project.id, 'shop');
    env = await anEnvironment(t, app.id, { name: 'prod' });
    await t.ok(`mutation($e: ID!) { registerVmHost(environmentId: $e, name: "vm-a") { token } }`, { e: env.id });
    key = Buffer.from(env.id, 'base64url').toString().split(':')[1]!.replace(/-/g, '');
    [vm, cloud, frontend] = [await side('vm'), await side('cloud'), await freePort()];
    // The owner's file: one stage (no pool behind `vms`), its own timeouts, and a comment Gantry must keep.
    config = [
      '# owned by the platform team, not by Gantry',
      'global',
      `  stats socket ${socket()} mode 600 level admin`,
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 10s',
      '  timeout server 10s',
      `frontend fe_${key}`,
      `  bind 127.0.0.1:${frontend}`,
      `  default_backend be_${key}`,
      `backend be_${key}`,
      '  balance roundrobin',
      `  server vms 127.0.0.1:${vm.port} weight 100`,
      `  server cloud 127.0.0.1:${cloud.port} weight 0`,
      '',
    ].join('\n');
    writeFileSync(configFile(), config);
    child = spawn(haproxy!, ['-W', '-f', configFile()], { stdio: 'ignore' });
    await eventually(async () => (await serversState(socket(), `be_${key}`).catch(() => [])).length === 2 || null, 10_000, 'the external HAProxy to answer');
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    await t?.close();
    vm?.server.close();
    cloud?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("should read the split back from the owner's HAProxy as its configuration set it", async () => {
    const { node } = await t.ok(SPLIT, { id: env.id });
    expect(node.trafficSplit).toEqual({ vmWeight: 100, cloudWeight: 0, appliedAt: null });
    expect(await get(frontend)).toBe('vm');
  });

  it('should drive its weights over the admin socket, read them back, and send traffic by them', async () => {
    // What a joint release's step does (test/vms/vm-release-e2e.test.ts runs that path with the managed one).
    expect(await t.server.vms.balancer.applySplit(key, 40)).toEqual({ vmWeight: 60, cloudWeight: 40 });
    const { node } = await t.ok(SPLIT, { id: env.id });
    expect(node.trafficSplit).toMatchObject({ vmWeight: 60, cloudWeight: 40 });
    const answers: string[] = [];
    for (let i = 0; i < 100; i++) answers.push(await get(frontend));
    expect(answers.filter((a) => a === 'cloud')).toHaveLength(40);
    expect(answers.filter((a) => a === 'vm')).toHaveLength(60);
    expect(outcome(await t.gql(`mutation($e: ID!) { retireVmPool(environmentId: $e) { id } }`, { e: env.id }))).toBe('CONFLICT');
  });

  it('should never write a configuration file of its own nor touch the owner\'s, and start no HAProxy', async () => {
    await t.server.vms.sync();
    await t.server.vms.balancer.settled();
    expect(readFileSync(configFile(), 'utf8')).toBe(config);
    expect(existsSync(join(dir, 'gantry', 'haproxy'))).toBe(false);
    expect(t.server.vms.balancer.managed).toBe(false);
  });

  it('should say the admin socket is unreachable once the owner stops it, without a stack', async () => {
    child!.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    const res = await t.gql(SPLIT, { id: env.id });
    expect(outcome(res)).toBe('INTERNAL_SERVER_ERROR');
    expect(res.errors![0]!.message).toMatch(/^HAProxy's admin socket is unreachable: (ENOENT|ECONNREFUSED)$/);
    expect(JSON.stringify(res.errors)).not.toContain('at ');
  });
});
