import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { findAppsByIds, findEnvironmentsByIds } from '../apps/repository.ts';
import type { ClusterDirectory } from '../cluster/directory.ts';
import type { TopicBus } from '../shared/runtime/bus.ts';
import type { LeaseStore } from '../shared/runtime/leases.ts';
import { LeasedWorker, type LeasedJob, type ReconcileOutcome } from '../shared/runtime/worker.ts';
import { EnvironmentCollection, type CollectedEnvironment } from './collection.ts';
import { logCollectionLeases } from './postgres-store.ts';
import type { LogLineRow, LogStore } from './store.ts';

export interface LogCollectorOptions {
  db: Database;
  clusters: ClusterDirectory;
  logger: Logger;
  store: LogStore;
  /** Announces "environment <id> has new lines" (topic `pod-logs`) to every tail, in every process. */
  bus: TopicBus;
  retentionDays: number;
  flushMs?: number;
  maxBufferedPerPod?: number;
  leaseTtlMs?: number;
  tickMs?: number;
}

const HOUR_MS = 3_600_000;
/** Lines buffered after a write that make the collector write again at once. */
const BEHIND_LINES = 1_000;

type WatchedEnvironment = CollectedEnvironment & { cluster: string; app: string };

/**
 * Collects the logs of every environment's pods into the log store, on the shared runtime: one
 * `log_collections` row per environment is the leased job, so with several Gantry processes each
 * environment (and so each pod) is followed by exactly one of them; a process that dies is
 * replaced when its leases expire, and the new holder resumes every pod from its stored position.
 * Also runs retention: every hour, days older than GANTRY_LOG_RETENTION_DAYS are dropped.
 */
export class LogCollector {
  private readonly worker: LeasedWorker;
  private readonly collections = new Map<string, EnvironmentCollection>();
  private readonly environments = new Map<string, WatchedEnvironment>();
  private retentionTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly options: LogCollectorOptions) {
    const leases: LeaseStore = {
      ...logCollectionLeases,
      // Every environment gets its row here (no other domain has to know about logs).
      unsettled: async (tx) => {
        await tx.execute(sql`insert into log_collections (id) select e.id from environments e where not exists (select 1 from log_collections c where c.id = e.id) on conflict do nothing`);
        return logCollectionLeases.unsettled(tx);
      },
    };
    this.worker = new LeasedWorker({
      kind: 'log collection',
      db: options.db,
      logger: options.logger,
      leases,
      ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
      ...(options.tickMs ? { tickMs: options.tickMs } : {}),
      reconcile: (job) => this.reconcile(job),
      watch: (id, kick) => this.watch(id, kick),
    });
  }

  start(): void {
    this.worker.start();
    // One write per flush for every environment this process collects: per environment, 40
    // environments of chatty pods cost 400 transactions a second (five statements each).
    this.flushTimer = setInterval(() => void this.flush(), this.options.flushMs ?? 100);
    this.flushTimer.unref();
    const expire = () =>
      void this.expire().catch((error: unknown) => this.options.logger.warn({ code: (error as { code?: unknown }).code ?? null }, 'log retention failed'));
    this.retentionTimer = setInterval(expire, HOUR_MS);
    this.retentionTimer.unref();
    expire();
  }

  /** Stores what is buffered, then stops following and gives the leases back. */
  async stop(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.stopping = true;
    await this.flushing;
    await this.flush();
    for (const collection of this.collections.values()) collection.close();
    await this.worker.stop();
    this.collections.clear();
  }

  /** Writes what every collection has buffered, in one write (one at a time). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    let written = false;
    this.flushing = this.flushOnce()
      .then((worked) => {
        written = worked;
      })
      .finally(() => {
        this.flushing = null;
        // Behind (a write's worth already buffered): write again now, not at the next tick. The
        // pause between writes was up to a tick of idle store while pods' lines piled up. Only
        // after a write that worked: a failing store is retried at the tick's pace.
        if (written && !this.stopping && this.buffered() >= BEHIND_LINES) void this.flush();
      });
    return this.flushing;
  }

  private buffered(): number {
    let lines = 0;
    for (const collection of this.collections.values()) lines += collection.buffered;
    return lines;
  }

  /** @returns whether the write worked (or there was nothing to write). */
  private async flushOnce(): Promise<boolean> {
    const taken = [...this.collections.values()].flatMap((collection) => {
      const batch = collection.take();
      return batch ? [{ collection, batch }] : [];
    });
    const writing = taken.filter(({ batch }) => batch.lines.length > 0);
    let stored: (LogLineRow[] | null)[] = [];
    try {
      stored = await this.options.store.append(writing.map(({ batch }) => batch));
    } catch (error) {
      // Only the SQLSTATE: a failed statement's text carries its parameters (the lines).
      const failure = error as { code?: unknown; cause?: { code?: unknown } };
      this.options.logger.warn({ environments: writing.length, code: failure.code ?? failure.cause?.code ?? null }, 'storing log lines failed; will retry');
      return false;
    }
    const rows = new Map(writing.map(({ batch }, i) => [batch, stored[i] ?? null]));
    for (const { collection, batch } of taken) collection.settle(batch, batch.lines.length > 0 ? rows.get(batch)! : []);
    return true;
  }

  /** Environments whose logs this process collects (tests, metrics). */
  get driving(): string[] {
    return this.worker.driving;
  }

  /** Drops the days older than the retention. @returns how many went. */
  expire(now = new Date()): Promise<number> {
    return this.options.store.expire(new Date(now.getTime() - this.options.retentionDays * 24 * HOUR_MS));
  }

  /** Where an environment's pods are; cached (namespace, cluster and names never change). */
  private async environment(id: string): Promise<WatchedEnvironment | null> {
    const cached = this.environments.get(id);
    if (cached) return cached;
    const [environment] = await findEnvironmentsByIds(this.options.db, [id]);
    const [app] = environment ? await findAppsByIds(this.options.db, [environment.appId]) : [];
    if (!environment || !app) return null;
    const found = { id, namespace: environment.namespace, instance: `${app.name}-${environment.name}`, cluster: environment.cluster, app: app.name };
    this.environments.set(id, found);
    return found;
  }

  private async reconcile(job: LeasedJob): Promise<ReconcileOutcome> {
    let collection = this.collections.get(job.id);
    if (collection && (collection.fence.epoch !== job.epoch || collection.closed)) {
      collection.close();
      this.collections.delete(job.id);
      if (collection.lost) return 'lost';
      collection = undefined;
    }
    const environment = await this.environment(job.id);
    if (!environment) return 'done';
    const port = this.options.clusters.port(environment.cluster);
    if (!port) return 'done';
    // Until the watches have listed once, an empty cache means "not known yet".
    if (!port.synced()) return 'retry';
    if (!collection) {
      const positions = await this.options.store.positions(job.id);
      if (!job.stillLeader()) return 'retry';
      collection = new EnvironmentCollection(
        {
          logger: this.options.logger,
          retentionMs: this.options.retentionDays * 24 * HOUR_MS,
          stored: (id) => this.options.bus.publish(id),
          ...(this.options.maxBufferedPerPod ? { maxBufferedPerPod: this.options.maxBufferedPerPod } : {}),
        },
        environment,
        port,
        { owner: job.owner, epoch: job.epoch, stillLeader: job.stillLeader },
        positions,
      );
      this.collections.set(job.id, collection);
    }
    collection.sync(port.snapshot(environment.namespace, environment.app).pods);
    return 'done';
  }

  private async watch(id: string, kick: () => void): Promise<(() => void) | null> {
    const environment = await this.environment(id);
    const port = environment && this.options.clusters.port(environment.cluster);
    const unwatch = environment && port ? port.watchApp(environment.namespace, environment.app, (change) => change.kind === 'pods' && kick()) : null;
    return () => {
      unwatch?.();
      // The job left this process (lease lost, environment deleted, shutdown): stop following.
      this.collections.get(id)?.close();
      this.collections.delete(id);
      this.environments.delete(id);
    };
  }
}
