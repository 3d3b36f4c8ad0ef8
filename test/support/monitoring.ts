import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { FAST_RELEASES } from './releases.ts';

function installed(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the real Prometheus and Alertmanager can run here. A suite that needs them is skipped
 * with a printed notice when they are missing, except in CI (CI=true), where that is a failure.
 */
export function monitoringAvailable(suite: string): boolean {
  const missing = ['prometheus', 'promtool', 'prometheus-alertmanager'].filter((b) => !installed(b));
  if (missing.length === 0) return true;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${missing.join(', ')} not installed (apt-get install prometheus prometheus-alertmanager)`);
  console.warn(`${suite}: skipped, ${missing.join(', ')} not installed (apt-get install prometheus prometheus-alertmanager)`);
  return false;
}

/**
 * A server with the embedded cluster (fast), the release engine ticking every 100 ms, and a
 * managed Prometheus and Alertmanager scraping and evaluating every second.
 */
export const WITH_MONITORING = {
  env: { ...FAST_RELEASES.env, GANTRY_MANAGED_MONITORING: '1', GANTRY_PROMETHEUS_SCRAPE_SECONDS: '1' },
  start: FAST_RELEASES.start,
};

/** The last `seconds` as a MetricRange at one-second steps. */
export function lastSeconds(seconds: number, stepSeconds = 1): { start: string; end: string; stepSeconds: number } {
  const end = new Date();
  return { start: new Date(end.getTime() - seconds * 1000).toISOString(), end: end.toISOString(), stepSeconds };
}

/** The last non-null value of a series, or null. */
export function lastValue(series: { points: { value: number | null }[] } | undefined): number | null {
  const points = series?.points.filter((p) => p.value !== null) ?? [];
  return points.length ? points[points.length - 1]!.value : null;
}

/** An alert subscription's webhook: a real HTTP server on loopback that keeps what it was posted. */
export interface WebhookReceiver {
  url: string;
  /** The JSON bodies it accepted, in order. */
  posts: any[];
  /** Posts still to be refused with 500 (a retry must follow); below 0 once one more came. */
  failuresLeft: number;
  close(): void;
}

/** Starts a {@link WebhookReceiver} that refuses its first `failFirst` posts. */
export async function startWebhookReceiver(failFirst = 0): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: '', posts: [], failuresLeft: failFirst, close: () => server.close() };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (receiver.failuresLeft-- > 0) return void res.writeHead(500).end();
      receiver.posts.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
