import { createServer, request, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, freePort } from '../../../services/metrics/managed-process.ts';
import { HAPROXY_MISSING, LoadBalancer } from '../../../services/vms/load-balancer.ts';
import type { BalancerLayout } from '../../../services/vms/haproxy-config.ts';
import { HaproxyUnreachable, setWeightsAndRead } from '../../../services/vms/haproxy-socket.ts';

const haproxy = findBinary('haproxy');
if (!haproxy && process.env.CI !== 'true') console.warn('haproxy is not installed: the managed HAProxy tests are skipped');

/** A stand-in upstream answering with its name (the sides are tested for real in the joint release tests). */
async function upstream(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => res.writeHead(200, { 'x-side': name, 'x-host': req.headers.host ?? '' }).end(name));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

function get(port: number): Promise<{ status: number; side: string; host: string }> {
  return new Promise((resolve, reject) => {
    request(`http://127.0.0.1:${port}/`, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, side: String(res.headers['x-side'] ?? ''), host: String(res.headers['x-host'] ?? '') }));
    })
      .on('error', reject)
      .end();
  });
}

describe.skipIf(!haproxy && process.env.CI !== 'true')('managed HAProxy', () => {
  let dir: string;
  let lb: LoadBalancer;
  let vm: Awaited<ReturnType<typeof upstream>>;
  let cloud: Awaited<ReturnType<typeof upstream>>;
  let layout: BalancerLayout;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gantry-haproxy-'));
    lb = new LoadBalancer({ dataDir: dir, socketPath: null, logger: pino({ level: 'silent' }) });
    vm = await upstream('vm');
    cloud = await upstream('cloud');
    layout = { key: 'e1', frontendPort: await freePort(), servers: [{ name: 'vm-1', address: `127.0.0.1:${vm.port}` }], healthPath: '/', cloud: { address: `127.0.0.1:${cloud.port}`, host: 'shop.shop-prod' }, vmWeight: 100, cloudWeight: 0 };
    await lb.configure([layout]);
  });
  afterAll(async () => {
    await lb?.stop();
    vm?.server.close();
    cloud?.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('should start on first use and send everything to the VM pool at 100/0', async () => {
    expect(await lb.readSplit('e1')).toEqual({ vmWeight: 100, cloudWeight: 0 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(layout.frontendPort)));
    expect(answers.map((a) => a.side)).toEqual(Array(10).fill('vm'));
  });

  it('should apply a weight over the admin socket, read it back, split exactly and keep it in the config file', async () => {
    expect(await lb.applySplit('e1', 30)).toEqual({ vmWeight: 70, cloudWeight: 30 });
    const answers = [];
    for (let i = 0; i < 100; i++) answers.push(await get(layout.frontendPort));
    expect(answers.filter((a) => a.side === 'cloud')).toHaveLength(30);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.find((a) => a.side === 'cloud')?.host).toBe('shop.shop-prod');
    await lb.settled();
    expect(await readFile(lb.configPath, 'utf8')).toMatch(/server cloud \S+ weight 30\n/);
  });

  it('should set both weights and read them back in one round trip, and name what HAProxy refuses', async () => {
    const state = await setWeightsAndRead(lb.socketPath, 'be_e1', [['cloud', 40], ['vms', 60]]);
    expect(state.map((s) => [s.server, s.weight])).toEqual([['vms', 60], ['cloud', 40]]);
    await expect(setWeightsAndRead(lb.socketPath, 'be_e1', [['cloud', 300]])).rejects.toThrow('HAProxy refused the weight: Absolute weight can only be between 0 and 256 inclusive.');
    await expect(setWeightsAndRead(lb.socketPath, 'be_e1', [['nope', 1]])).rejects.toThrow(/HAProxy refused the weight: No such server/);
    expect(await lb.applySplit('e1', 30)).toEqual({ vmWeight: 70, cloudWeight: 30 });
  });

  it('should keep the applied split when the topology changes and HAProxy reloads', async () => {
    const other = await upstream('vm2');
    try {
      await lb.configure([{ ...layout, servers: [...layout.servers, { name: 'vm-2', address: `127.0.0.1:${other.port}` }] }]);
      expect(await lb.readSplit('e1')).toEqual({ vmWeight: 70, cloudWeight: 30 });
      expect([...(await lb.poolState('e1')).keys()].sort()).toEqual(['vm-1', 'vm-2']);
    } finally {
      other.server.close();
    }
  });

  it('should say what is missing when the admin socket is unreachable', async () => {
    const external = new LoadBalancer({ dataDir: dir, socketPath: join(dir, 'nothing.sock'), logger: pino({ level: 'silent' }) });
    await expect(external.applySplit('e1', 50)).rejects.toThrow(HaproxyUnreachable);
    const absent = new LoadBalancer({ dataDir: dir, socketPath: null, logger: pino({ level: 'silent' }) });
    await expect(absent.readSplit('e1')).rejects.toThrow(HAPROXY_MISSING);
  });
});
