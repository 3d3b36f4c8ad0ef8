import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AlertRuntime, IncomingAlert } from '../services/alerts/runtime.ts';

const MAX_BODY = 1024 * 1024;

function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Alertmanager's webhook body (version 4) → the alerts it holds, or null when it is not one. */
export function parseWebhook(body: unknown): IncomingAlert[] | null {
  const alerts = (body as { alerts?: unknown } | null)?.alerts;
  if (!Array.isArray(alerts) || alerts.length > 1000) return null;
  const out: IncomingAlert[] = [];
  for (const a of alerts as Record<string, unknown>[]) {
    const labels = a?.['labels'];
    const annotations = a?.['annotations'] ?? {};
    const startsAt = new Date(String(a?.['startsAt']));
    const endsAt = a?.['endsAt'] ? new Date(String(a['endsAt'])) : null;
    const fingerprint = a?.['fingerprint'];
    const status = a?.['status'];
    if ((status !== 'firing' && status !== 'resolved') || typeof fingerprint !== 'string' || !/^[0-9a-f]{1,64}$/.test(fingerprint)) return null;
    if (!labels || typeof labels !== 'object' || typeof annotations !== 'object' || Number.isNaN(startsAt.getTime())) return null;
    const strings = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k.slice(0, 200), (v as string).slice(0, 1000)]));
    out.push({ status, labels: strings(labels), annotations: strings(annotations as object), startsAt, endsAt: endsAt && !Number.isNaN(endsAt.getTime()) && endsAt.getFullYear() > 1 ? endsAt : null, fingerprint });
  }
  return out;
}

/**
 * POST /hooks/alertmanager: Alertmanager's webhook receiver. Without the configured bearer
 * secret: 401 and nothing recorded (also when no secret is configured). The body is stored
 * idempotently (services/alerts/runtime.ts `receive`), so Alertmanager's retries and replays of
 * a delivery change nothing twice. Neither the body nor the credential is ever logged.
 */
export function createAlertHook(deps: { alerts: AlertRuntime; secret: string | null; logger: Logger }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      req.resume();
      return reply(res, 405, { error: 'use POST' }, { allow: 'POST' });
    }
    if (!deps.secret || !sameSecret(req.headers.authorization, `Bearer ${deps.secret}`)) {
      req.resume();
      return reply(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return reply(res, 413, { error: 'body too large' });
      chunks.push(chunk);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, { error: 'malformed JSON' });
    }
    const alerts = parseWebhook(body);
    if (!alerts) return reply(res, 400, { error: 'not an Alertmanager webhook body' });
    try {
      const changed = await deps.alerts.receive(alerts);
      return reply(res, 200, { received: alerts.length, changed });
    } catch (error) {
      // 5xx: Alertmanager retries the delivery, and the receiver is idempotent.
      deps.logger.error({ err: (error as Error).message }, 'alertmanager delivery not stored');
      return reply(res, 503, { error: 'not stored; retry' });
    }
  };
}
