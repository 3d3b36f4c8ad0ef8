import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestServer } from './server.ts';

const exec = promisify(execFile);

/** Runs the real kubectl against the test server's embedded cluster; resolves with stdout. */
export async function kubectl(t: TestServer, ...args: string[]): Promise<string> {
  const kubeconfig = join(t.server.config.dataDir, 'kubeconfig');
  const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 });
  return stdout;
}

/** Polls until `check` returns a truthy value; resolves with it. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000, what = 'condition', intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Options for a test server that talks to a real embedded cluster, with fast simulated time. */
export const withEmbeddedCluster = { start: { clusters: undefined, embedded: { timeScale: 0.02 } } };
