/**
 * Gantry agents as real processes for the VM tests: the single-file bundle (what is copied onto
 * machines) built once per test file with esbuild, each agent in its own directory and port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleAgent as bundle } from '../../scripts/bundle-agent.ts';
import { freePort } from './processes.ts';

/** Bundles agent/main.ts into a temporary directory; @returns the bundle's path. */
export async function bundleAgent(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'gantry-agent-bundle-')), 'gantry-agent.mjs');
  await bundle(outfile);
  return outfile;
}

/** One agent process: its port, directory and output; `kill` is SIGKILL (a crash), `start` runs it again. */
export interface AgentProcess {
  name: string;
  port: number;
  dir: string;
  output: string[];
  start(): void;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function anAgent(bundle: string, name: string, url: string, token: string): Promise<AgentProcess> {
  const dir = mkdtempSync(join(tmpdir(), `gantry-agent-${name}-`));
  const port = await freePort();
  const output: string[] = [];
  let child: ChildProcess | null = null;
  const exited = () => new Promise<void>((resolve) => (!child || child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  const handle: AgentProcess = {
    name,
    port,
    dir,
    output,
    start() {
      // The token goes in the environment, not argv (the process list is readable by anyone).
      child = spawn(process.execPath, [bundle, '--url', url, '--dir', dir, '--port', String(port)], { env: { PATH: process.env.PATH, GANTRY_AGENT_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
    },
    async kill() {
      child?.kill('SIGKILL');
      await exited();
    },
    async stop() {
      child?.kill('SIGTERM');
      await exited();
    },
  };
  handle.start();
  return handle;
}

/** Removes an agent's directory (after it stopped). */
export function removeAgentDir(agent: AgentProcess): void {
  rmSync(agent.dir, { recursive: true, force: true });
}
