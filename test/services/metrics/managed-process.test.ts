import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, startManagedProcess, type ManagedProcess } from '../../../services/metrics/managed-process.ts';
import { poll } from '../../support/releases.ts';

const binary = findBinary('prometheus');
if (!binary) {
  if (process.env.CI === 'true') throw new Error('prometheus is missing: .ci/run installs the `prometheus` package');
  console.warn('managed process: skipped, prometheus not installed (apt-get install prometheus)');
}

describe.runIf(binary)('a managed Prometheus that crashes', () => {
  let dir: string;
  let child: ManagedProcess;
  const logged: { msg: string; restartInMs?: number }[] = [];
  const warnings: string[] = [];
  // A real logger whose warnings the test reads (pino writes to this stream).
  const logger = pino({ level: 'warn' }, { write: (line: string) => void (logged.push(JSON.parse(line)), warnings.push(JSON.parse(line).msg)) });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gantry-managed-'));
    await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    child = await startManagedProcess({
      name: 'prometheus',
      binary: binary!,
      logger,
      readyPath: '/-/ready',
      restartDelayMs: 200,
      args: (port) => [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    });
  }, 60_000);
  afterAll(async () => {
    await child?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const ready = () => fetch(`${child.url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);

  it('should be started again on the same URL after a SIGKILL, with the exit and the restart logged', async () => {
    const first = child.pid!;
    expect(await ready()).toBe(true);
    process.kill(first, 'SIGKILL');
    await poll(async () => child.pid !== null && child.pid !== first && (await ready()), 'a new Prometheus answering on the same URL', 30_000, 100);
    expect(child.restarts).toBe(1);
    expect(warnings).toEqual(['prometheus exited; restarting', 'prometheus restarted']);
  }, 40_000);

  it('should wait longer before each restart of a child that keeps dying, and leave it down once stopped', async () => {
    for (let i = 0; i < 2; i++) {
      const pid = await poll(() => child.pid, 'a running child', 30_000, 50);
      process.kill(pid, 'SIGKILL');
      await poll(() => child.pid !== null && child.pid !== pid, 'a restart', 30_000, 50);
    }
    expect(child.restarts).toBe(3);
    const delays = logged.filter((l) => l.restartInMs !== undefined).map((l) => l.restartInMs!);
    expect(delays).toHaveLength(3);
    expect(delays[1]).toBeGreaterThanOrEqual(delays[0]!);
    expect(delays[2]).toBeGreaterThan(delays[0]!);
    const last = child.pid!;
    await child.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(child.pid).toBeNull();
    expect(() => process.kill(last, 0)).toThrow();
    expect(await ready()).toBe(false);
  }, 60_000);
});
