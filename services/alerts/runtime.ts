import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { alertDeliveries, auditEntries } from '../../db/schema/index.ts';
import type { Monitoring } from '../metrics/monitoring.ts';
import { applyInput } from '../releases/commit.ts';
import { activeReleasesOf } from '../releases/repository.ts';
import type { NotifyHub } from '../shared/notify.ts';
import { TopicBus } from '../shared/runtime/bus.ts';
import { leaseStoreFor } from '../shared/runtime/leases.ts';
import { LeasedWorker, type LeasedJob, type ReconcileOutcome } from '../shared/runtime/worker.ts';
import * as repo from './repository.ts';
import { AlertRules } from './rules.ts';

/** Attempts before a webhook delivery is given up (backoff 1 s, 2 s, 4 s … at most 5 min). */
export const MAX_DELIVERY_ATTEMPTS = 8;
const deliveryLeases = leaseStoreFor(alertDeliveries, alertDeliveries.createdAt);

/** One alert as Alertmanager's webhook sends it (version 4), after shape checks. */
export interface IncomingAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt: Date | null;
  fingerprint: string;
}

/**
 * Process-wide alert machinery: the `alert` topic (alertEvents), the rule files (re-rendered on
 * the `alert-rules` topic, so every process's Prometheus follows), the receiver's idempotent
 * store, and webhook deliveries on the shared runtime (one LeasedWorker: each delivery is its
 * own job, so a slow or failing webhook never holds the others back).
 */
export class AlertRuntime {
  readonly bus: TopicBus;
  private readonly rulesBus: TopicBus;
  readonly rules: AlertRules;
  private readonly deliveries: LeasedWorker;
  private unsubscribeRules: (() => void) | null = null;

  constructor(private readonly options: { db: Database; hub: NotifyHub; monitoring: Monitoring; logger: Logger; releaseBus: { publish(id: string): void }; tickMs?: number }) {
    this.bus = new TopicBus(options.hub, 'alert');
    this.rulesBus = new TopicBus(options.hub, 'alert-rules');
    this.rules = new AlertRules({ db: options.db, monitoring: options.monitoring, logger: options.logger });
    this.deliveries = new LeasedWorker({
      kind: 'alert delivery',
      db: options.db,
      logger: options.logger,
      leases: deliveryLeases,
      tickMs: options.tickMs ?? 1_000,
      reconcile: (job) => this.deliver(job),
    });
  }

  async start(): Promise<void> {
    this.bus.start();
    this.rulesBus.start();
    this.unsubscribeRules = this.rulesBus.subscribe(() => void this.rules.sync());
    await repo.seedBuiltInTemplates(this.options.db);
    await this.rules.sync();
    this.deliveries.start();
  }

  async stop(): Promise<void> {
    this.unsubscribeRules?.();
    await this.deliveries.stop();
    this.bus.stop();
    this.rulesBus.stop();
  }

  /** After a subscription changed: this process renders now, the others on the topic. */
  async rulesChanged(): Promise<void> {
    this.options.hub.publish('alert-rules', 'all');
    await this.rules.sync();
  }

  /**
   * Stores what Alertmanager sent, idempotently: an alert is (fingerprint, startsAt); a repeat
   * of a known state changes nothing. A new firing or a resolution is published on `alert`,
   * queued for the subscription's webhook and, for a firing with abortsReleases, aborts the
   * environment's release in progress. Alerts of unknown subscriptions are ignored.
   * @returns how many alerts changed.
   */
  async receive(incoming: readonly IncomingAlert[]): Promise<number> {
    const { db } = this.options;
    let changed = 0;
    for (const alert of incoming) {
      const subscriptionId = alert.labels['gantry_subscription'] ?? '';
      if (!/^[0-9a-f-]{36}$/.test(subscriptionId)) continue;
      const [subscription] = await repo.findSubscriptionsByIds(db, [subscriptionId]);
      if (!subscription) continue;
      const now = new Date();
      const result = await db.transaction(async (tx) => {
        const summary = (alert.annotations['summary'] ?? alert.labels['alertname'] ?? 'alert').slice(0, 500);
        let row = await repo.insertAlert(tx, {
          id: randomUUID(),
          subscriptionId,
          environmentId: subscription.environmentId,
          projectId: subscription.projectId,
          fingerprint: alert.fingerprint,
          status: alert.status === 'resolved' ? 'RESOLVED' : 'FIRING',
          startsAt: alert.startsAt,
          endsAt: alert.status === 'resolved' ? alert.endsAt : null,
          summary,
          labels: alert.labels,
          updatedAt: now,
        });
        if (!row) {
          const existing = await repo.lockAlert(tx, alert.fingerprint, alert.startsAt);
          if (!existing || alert.status !== 'resolved' || existing.status === 'RESOLVED') return null;
          row = await repo.resolveAlert(tx, existing.id, alert.endsAt ?? now, now);
        }
        if (subscription.webhookUrl) {
          await repo.insertDelivery(tx, { id: randomUUID(), alertId: row.id, url: subscription.webhookUrl, payload: webhookPayload(row), createdAt: now });
        }
        return row;
      });
      if (!result) continue;
      changed += 1;
      this.bus.publish(result.id);
      if (subscription.webhookUrl) this.deliveries.kick('scan');
      if (result.status === 'FIRING' && subscription.abortsReleases) await this.abortReleaseOf(subscription.environmentId, subscription.projectId, result);
    }
    return changed;
  }

  /** Aborts the environment's release in progress, as abortRelease does, with the alert's summary as the reason. */
  private async abortReleaseOf(environmentId: string, projectId: string, alert: repo.AlertRow): Promise<void> {
    const { db, logger, releaseBus } = this.options;
    const [active] = await activeReleasesOf(db, [environmentId]);
    if (!active) return;
    const reason = `alert: ${alert.summary}`.slice(0, 500);
    const aborted = await db.transaction(async (tx) => {
      const result = await applyInput(tx, active.id, { type: 'ABORT', reason }, null, new Date());
      if (typeof result !== 'object' || !('state' in result)) return false;
      await tx.insert(auditEntries).values({
        id: randomUUID(), at: new Date(), actorId: null, projectId, action: 'release.abort', targetType: 'Release', targetId: active.id,
        details: { reason, alertId: alert.id }, requestId: `alert-${alert.id}`,
      });
      return true;
    });
    if (aborted) {
      releaseBus.publish(active.id);
      logger.info({ release: active.id, alert: alert.id }, 'release aborted by a firing alert');
    }
  }

  /** One delivery attempt (a job of the LeasedWorker). */
  private async deliver(job: LeasedJob): Promise<ReconcileOutcome> {
    const { db } = this.options;
    const row = await repo.findDelivery(db, job.id);
    if (!row || row.settledAt) return 'settled';
    if (row.nextAttemptAt.getTime() > Date.now()) return 'done';
    if (!job.stillLeader()) return 'lost';
    let error: string | null = null;
    try {
      const res = await fetch(row.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(row.payload), redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable';
    }
    const now = new Date();
    const attempts = row.attempts + 1;
    const done = error === null || attempts >= MAX_DELIVERY_ATTEMPTS;
    const fenced = and(eq(alertDeliveries.id, row.id), deliveryLeases.fencedBy(job));
    await db
      .update(alertDeliveries)
      .set({
        attempts,
        lastError: error,
        ...(error === null ? { deliveredAt: now } : {}),
        nextAttemptAt: new Date(now.getTime() + Math.min(300_000, 1000 * 2 ** (attempts - 1))),
        ...(done ? { settledAt: now, leaseOwner: null, leaseExpiresAt: null } : {}),
      })
      .where(fenced);
    return done ? 'settled' : 'done';
  }
}

/** What a subscription's webhook receives. */
function webhookPayload(alert: repo.AlertRow): Record<string, unknown> {
  return {
    alertId: alert.id,
    subscriptionId: alert.subscriptionId,
    status: alert.status,
    startsAt: alert.startsAt.toISOString(),
    endsAt: alert.endsAt?.toISOString() ?? null,
    summary: alert.summary,
    labels: alert.labels,
  };
}
