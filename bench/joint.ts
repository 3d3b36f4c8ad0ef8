/**
 * The joint-release benchmark (issue 14), with a real HAProxy (Debian package haproxy):
 * - weight change → applied and read back: `LoadBalancer.applySplit` (both weights and
 *   `show servers state` joined with `;` in one admin-socket round trip; the config file is
 *   rewritten once changes pause, off this path) beside the bare runtime API: the same joined
 *   round trip called directly, and two connections (`set server … weight`, then `show servers
 *   state`) as the first version did; 200 changes each, interleaved; p50 and p99. Target p99 ≤ 50 ms;
 * - failed requests during 5 weight changes under load: 8 concurrent clients through the
 *   frontend while the split goes 0 → 25 → 50 → 75 → 100 → 0. Target 0;
 * - agent switch downtime: the agent's switch (agent/proxy.ts: the new process started on its own
 *   port, health-checked, then traffic moved and the old one drained) beside a plain restart on
 *   the same port (stop, then start), each 5 switches under a load loop of 4 clients; failed
 *   requests counted. Target 0 for the agent.
 * The upstreams are small node HTTP servers (the app a VM runs is one; the cluster's gateway is
 * measured in the release tests): what is measured is HAProxy and the agent, not the upstream.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AppProcess } from '../agent/app-process.ts';
import { SwitchingProxy } from '../agent/proxy.ts';
import { findBinary, freePort } from '../services/metrics/managed-process.ts';
import { LoadBalancer } from '../services/vms/load-balancer.ts';
import { serversState, setServerWeight, setWeightsAndRead } from '../services/vms/haproxy-socket.ts';
import { formatNumber, printTable, type Benchmark, type BenchResult } from './support/benchmark.ts';

const APP = `import { createServer } from 'node:http';
const name = process.env.NAME ?? 'app';
createServer((req, res) => res.writeHead(200).end(name)).listen(Number(process.env.PORT), '127.0.0.1');
`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function get(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Runs `clients` request loops against `port` while `work` runs; @returns requests and failures. */
async function underLoad(port: number, clients: number, work: () => Promise<void>): Promise<{ total: number; failed: number }> {
  let running = true;
  const counts = { total: 0, failed: 0 };
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      counts.total += 1;
      if (!(await get(port))) counts.failed += 1;
    }
  });
  await work();
  running = false;
  await Promise.all(loops);
  return counts;
}

function startApp(file: string, port: number, name: string) {
  const child = spawn(process.execPath, [file], { env: { PORT: String(port), NAME: name }, stdio: 'ignore' });
  return {
    stop: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
  };
}

async function waitUp(port: number): Promise<void> {
  for (let i = 0; i < 200 && !(await get(port)); i++) await new Promise((r) => setTimeout(r, 25));
}

async function measure(): Promise<BenchResult> {
  if (!findBinary('haproxy')) throw new Error('the joint benchmark needs haproxy (apt-get install haproxy)');
  const dir = mkdtempSync(join(tmpdir(), 'gantry-bench-joint-'));
  const app = join(dir, 'app.mjs');
  writeFileSync(app, APP);
  const lb = new LoadBalancer({ dataDir: dir, socketPath: null, logger: pino({ level: 'silent' }) });
  const [vmPort, cloudPort, frontend] = [await freePort(), await freePort(), await freePort()];
  const vm = startApp(app, vmPort, 'vm');
  const cloud = startApp(app, cloudPort, 'cloud');
  try {
    await Promise.all([waitUp(vmPort), waitUp(cloudPort)]);
    await lb.configure([{ key: 'bench', frontendPort: frontend, servers: [{ name: 'vm-1', address: `127.0.0.1:${vmPort}` }], healthPath: '/', cloud: { address: `127.0.0.1:${cloudPort}`, host: 'shop.bench' }, vmWeight: 100, cloudWeight: 0 }]);

    const applied: number[] = [];
    const joined: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < 200; i++) {
      const weight = (i * 37) % 101;
      let t = performance.now();
      const split = await lb.applySplit('bench', weight);
      applied.push(performance.now() - t);
      if (split.cloudWeight !== weight) throw new Error(`read back ${split.cloudWeight}, expected ${weight}`);
      t = performance.now();
      const read = await setWeightsAndRead(lb.socketPath, 'be_bench', [['cloud', weight], ['vms', 100 - weight]]);
      joined.push(performance.now() - t);
      if (read.find((s) => s.server === 'cloud')?.weight !== weight) throw new Error('joined read back differs');
      t = performance.now();
      await setServerWeight(lb.socketPath, 'be_bench', 'cloud', weight);
      const state = await serversState(lb.socketPath, 'be_bench');
      bare.push(performance.now() - t);
      if (state.find((s) => s.server === 'cloud')?.weight !== weight) throw new Error('bare read back differs');
    }
    printTable(
      ['weight change → read back', 'n', 'p50 ms', 'p99 ms'],
      [
        ['LoadBalancer.applySplit (both weights and the read back, one round trip)', applied.length, percentile(applied, 50), percentile(applied, 99)],
        ['bare admin socket, the same joined round trip', joined.length, percentile(joined, 50), percentile(joined, 99)],
        ['bare admin socket, two connections (set, then show servers state)', bare.length, percentile(bare, 50), percentile(bare, 99)],
      ],
    );

    await lb.applySplit('bench', 0);
    const changes = await underLoad(frontend, 8, async () => {
      for (const weight of [25, 50, 75, 100, 0]) {
        await new Promise((r) => setTimeout(r, 400));
        await lb.applySplit('bench', weight);
      }
      await new Promise((r) => setTimeout(r, 400));
    });
    printTable(['5 weight changes under load (8 clients)', 'requests', 'failed'], [['through the HAProxy frontend', changes.total, changes.failed]]);

    // The agent's switch: a proxy in front, the next process healthy before it takes traffic.
    const agentPort = await freePort();
    const proxy = new SwitchingProxy();
    await proxy.listen(agentPort, '127.0.0.1');
    const releaseDir = dir;
    const run = { command: [process.execPath, app], healthPath: '/' };
    let current = await AppProcess.start({ version: 'r1', releaseDir, run, env: { NAME: 'r1' }, publicPort: agentPort, stateDir: dir, log: () => undefined });
    await current.waitHealthy(10_000);
    await proxy.switchTo(current.port);
    const agentSwitch = await underLoad(agentPort, 4, async () => {
      for (let n = 2; n <= 6; n++) {
        const next = await AppProcess.start({ version: `r${n}`, releaseDir, run, env: { NAME: `r${n}` }, publicPort: agentPort, stateDir: dir, log: () => undefined });
        if (!(await next.waitHealthy(10_000))) throw new Error('the next app did not become healthy');
        await proxy.switchTo(next.port);
        await current.stop();
        current = next;
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    await current.stop();
    await proxy.close();

    // The baseline: the same app restarted in place on one port.
    const restartPort = await freePort();
    let plain = startApp(app, restartPort, 'r1');
    await waitUp(restartPort);
    const restart = await underLoad(restartPort, 4, async () => {
      for (let n = 2; n <= 6; n++) {
        await plain.stop();
        plain = startApp(app, restartPort, `r${n}`);
        await waitUp(restartPort);
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    await plain.stop();
    printTable(
      ['5 release switches under load (4 clients)', 'requests', 'failed'],
      [
        ['agent (new process healthy first, then switch, old drained)', agentSwitch.total, agentSwitch.failed],
        ['plain restart on the same port (baseline)', restart.total, restart.failed],
      ],
    );
    return {
      name: 'joint',
      figures: [
        { label: 'weight change → applied and read back p99', value: percentile(applied, 99), unit: 'ms', target: 50, detail: `bare joined round trip p99 ${formatNumber(percentile(joined, 99), 2)} ms, bare two connections p99 ${formatNumber(percentile(bare, 99), 2)} ms` },
        { label: 'failed requests during 5 weight changes', value: changes.failed, unit: 'requests', target: 0, detail: `of ${changes.total}` },
        { label: 'agent switch: failed requests over 5 switches', value: agentSwitch.failed, unit: 'requests', target: 0, detail: `of ${agentSwitch.total}; plain restart: ${restart.failed} of ${restart.total}` },
      ],
    };
  } finally {
    await lb.stop();
    await vm.stop();
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const joint: Benchmark = { name: 'joint', run: measure };
