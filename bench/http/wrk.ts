import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTaskset } from '../support/server-process.ts';

/** What one wrk run measured. Latencies in milliseconds. */
export interface WrkResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  /** Non-2xx answers plus socket errors: a run with any is not a fair comparison. */
  errors: number;
}

export interface WrkRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** True when the `wrk` load generator (Debian package `wrk`) is on the PATH. */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/**
 * Runs `wrk` against one request for `seconds`, with `connections` connections on one thread,
 * pinned to `cpu` when `taskset` exists (so it does not share the server's core).
 */
export async function runWrk(request: WrkRequest, options: { connections: number; seconds: number; cpu?: number }): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-wrk-'));
  try {
    const script = join(dir, 'request.lua');
    // wrk's Lua: one fixed request, and a count of non-2xx answers printed at the end.
    writeFileSync(
      script,
      [
        `wrk.method = ${JSON.stringify(request.method)}`,
        ...Object.entries(request.headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
        request.body === undefined ? '' : `wrk.body = ${luaString(request.body)}`,
        'local bad = 0',
        'function response(status, headers, body) if status < 200 or status > 299 then bad = bad + 1 end end',
        // response() runs per thread; with one thread the count is complete.
        'function done(summary, latency, requests) io.write(string.format("BAD %d\\n", bad)) end',
      ].join('\n'),
    );
    const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '-s', script, request.url];
    const command = options.cpu !== undefined && hasTaskset() ? ['taskset', '-c', String(options.cpu), 'wrk', ...args] : ['wrk', ...args];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.stderr.on('data', (c) => (text += c));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
    });
    return parseWrk(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses wrk's `--latency` report. */
export function parseWrk(output: string): WrkResult {
  const number = (re: RegExp) => {
    const m = re.exec(output);
    return m ? Number(m[1]) : NaN;
  };
  const latency = (label: string) => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    if (!m) return NaN;
    const value = Number(m[1]);
    return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrorCount = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50: latency('50'),
    p99: latency('99'),
    requests: number(/(\d+) requests in/),
    errors: number(/^BAD (\d+)$/m) + socketErrorCount,
  };
}

/** A Lua long string that cannot be closed by the body's own text. */
function luaString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  return `[${level}[${text}]${level}]`;
}
