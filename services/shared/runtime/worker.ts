import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../../../db/client.ts';
import type { TopicBus } from './bus.ts';
import type { LeaseFence, LeaseStore } from './leases.ts';

/** One work item this process holds the lease of, as a reconcile sees it. */
export interface LeasedJob extends LeaseFence {
  readonly id: string;
  /**
   * True while this process may still write for the job: not stopped, the lease not lost, and
   * its local deadline (80% of the TTL, counted from before the renewal) not passed.
   */
  stillLeader(): boolean;
  /**
   * True when something happened since the last complete reconcile (a bus notification, a
   * watched change, a `kick`) or a resync is due; false for a plain tick, which only needs to
   * look at deadlines.
   */
  readonly changed: boolean;
}

/**
 * What one reconcile reports: `done` (everything applied; the next tick may skip effects),
 * `retry` (something was left; run again as changed), `settled` (no more work: the reconcile
 * marked the row settled), `lost` (another process holds the lease now).
 */
export type ReconcileOutcome = 'done' | 'retry' | 'settled' | 'lost';

export interface LeasedWorkerOptions {
  /** What the jobs are, for logs: `release`, `build`, `cron run`. */
  kind: string;
  db: Database;
  logger: Logger;
  leases: LeaseStore;
  /** Notifications of the jobs' changes (commands from other processes, new jobs). */
  bus?: Pick<TopicBus, 'subscribe'>;
  /** A lease not renewed for this long may be taken over by another process (default 15 s). */
  leaseTtlMs?: number;
  /** How often the work list is scanned and leases renewed (default 1 s). */
  tickMs?: number;
  /** A held job is treated as changed at least this often (default 10 s). */
  resyncMs?: number;
  /**
   * Narrows this tick's work list to the ids this process should lease (default: all), e.g. only
   * as many queued builds as it has free slots, so that the rest stay free for other processes.
   * Jobs it holds and leaves out are given back. Gets and keeps the work list's order.
   */
  select?(ids: readonly string[]): Promise<readonly string[]>;
  /** Runs the job once; see {@link ReconcileOutcome}. A throw is logged and retried. */
  reconcile(job: LeasedJob): Promise<ReconcileOutcome>;
  /** Starts watching what the job depends on; `kick` runs it again as changed. */
  watch?(id: string, kick: () => void): Promise<(() => void) | null>;
  /** Told how many jobs this process drives whenever that changes (a metric). */
  onDriving?(count: number): void;
}

interface Held {
  epoch: number;
  dirty: boolean;
  lastCompleteAt: number;
  validUntil: number;
  unwatch: (() => void) | null;
  running: boolean;
  again: boolean;
}

/**
 * The one runtime of Gantry's long-running work (releases, builds, cron runs): every tick each
 * process lists the unsettled rows of its table, takes or renews their leases in one statement,
 * and runs a level-triggered reconcile for each job it holds: at once when a bus notification,
 * a watch or a command says something changed, otherwise on the tick. Exactly one process
 * drives a job at a time; a process that dies stops renewing, and another takes over once the
 * lease expires, at a higher epoch that fences the old one's writes.
 */
export class LeasedWorker {
  readonly owner = `gantry-${randomUUID()}`;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private readonly ttl: number;

  constructor(private readonly options: LeasedWorkerOptions) {
    this.ttl = options.leaseTtlMs ?? 15_000;
  }

  start(): void {
    this.unsubscribe =
      this.options.bus?.subscribe((id) => {
        if (this.held.has(id)) this.kick(id);
        else void this.scan(true);
      }) ?? null;
    this.timer = setInterval(() => void this.scan(), this.options.tickMs ?? 1_000);
    this.timer.unref();
    void this.scan();
  }

  /** Stops driving; leases are given back (unless told not to) so another process takes over at once. */
  async stop(options: { releaseLeases?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.scanning;
    for (const [id, h] of this.held) {
      h.unwatch?.();
      while (h.running) await new Promise((r) => setTimeout(r, 10));
      if (options.releaseLeases !== false) await this.options.leases.release(this.options.db, id, this.owner).catch(() => {});
    }
    this.held.clear();
  }

  /** Jobs this process drives now (for tests and metrics). */
  get driving(): string[] {
    return [...this.held.keys()];
  }

  /**
   * Runs job `id` now as changed (or right after the run in progress); a job this process does
   * not hold yet is looked for by a scan.
   */
  kick(id: string): void {
    if (this.held.has(id)) this.run(id, true);
    else void this.scan(true);
  }

  /**
   * Scans now, or joins the scan in progress. `again`: something new was announced (a job
   * created, a kick), which the scan in progress may have read the table too early to see: one
   * more scan follows it, instead of leaving the new job to the next tick (up to `tickMs` later).
   */
  private scan(again = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.scanning) {
      if (again) this.rescan = true;
      return this.scanning;
    }
    this.scanning = this.scanOnce().finally(() => {
      this.scanning = null;
      if (this.rescan) {
        this.rescan = false;
        void this.scan();
      }
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const { db, logger, leases, kind } = this.options;
    try {
      const unsettled = await leases.unsettled(db);
      const ids = this.options.select ? [...(await this.options.select(unsettled))] : unsettled;
      const live = new Set(ids);
      const pending = new Set(unsettled);
      for (const id of [...this.held.keys()]) {
        if (live.has(id)) continue;
        this.drop(id);
        // Still work to do, just not here now: give the lease back for another process.
        if (pending.has(id)) await leases.release(db, id, this.owner);
      }
      const renewedFrom = Date.now();
      const epochs = await leases.acquire(db, ids, this.owner, this.ttl);
      for (const id of ids) {
        const epoch = epochs.get(id) ?? null;
        let h = this.held.get(id);
        if (epoch === null || (h && h.epoch !== epoch)) {
          if (h) this.drop(id);
          if (epoch === null) continue;
          h = undefined;
        }
        if (!h) {
          h = { epoch, dirty: true, lastCompleteAt: 0, validUntil: 0, unwatch: null, running: false, again: false };
          this.held.set(id, h);
          this.options.onDriving?.(this.held.size);
          void this.startWatch(id, h);
          logger.info({ [kind]: id, epoch }, `driving ${kind}`);
        }
        // Renewed in the database; locally count from before the renewal, to stay on the safe side.
        h.validUntil = renewedFrom + this.ttl * 0.8;
        this.run(id, false);
      }
    } catch (error) {
      logger.warn({ err: (error as Error).message }, `${kind} scan failed`);
    }
  }

  private async startWatch(id: string, h: Held): Promise<void> {
    if (!this.options.watch) return;
    try {
      const unwatch = await this.options.watch(id, () => this.run(id, true));
      if (this.held.get(id) === h) h.unwatch = unwatch;
      else unwatch?.();
    } catch (error) {
      this.options.logger.warn({ [this.options.kind]: id, err: (error as Error).message }, `${this.options.kind} watch failed`);
    }
  }

  private drop(id: string): void {
    this.held.get(id)?.unwatch?.();
    this.held.delete(id);
    this.options.onDriving?.(this.held.size);
  }

  private run(id: string, changed: boolean): void {
    const h = this.held.get(id);
    if (!h || this.stopped) return;
    if (changed) h.dirty = true;
    if (h.running) {
      h.again = true;
      return;
    }
    h.running = true;
    void (async () => {
      try {
        do {
          h.again = false;
          await this.reconcileOnce(id, h);
        } while (h.again && !this.stopped && this.held.get(id) === h);
      } finally {
        h.running = false;
      }
    })();
  }

  private async reconcileOnce(id: string, h: Held): Promise<void> {
    const { logger, kind } = this.options;
    const resyncDue = Date.now() - h.lastCompleteAt >= (this.options.resyncMs ?? 10_000);
    const changed = h.dirty || resyncDue;
    h.dirty = false;
    const job: LeasedJob = {
      id,
      owner: this.owner,
      epoch: h.epoch,
      changed,
      stillLeader: () => !this.stopped && this.held.get(id) === h && Date.now() < h.validUntil,
    };
    try {
      const outcome = await this.options.reconcile(job);
      if (outcome === 'settled' || outcome === 'lost') {
        if (this.held.get(id) === h) this.drop(id);
        logger.info({ [kind]: id, outcome }, `${kind} no longer driven here`);
      } else if (outcome === 'retry') {
        h.dirty = true;
      } else if (changed) {
        h.lastCompleteAt = Date.now();
      }
    } catch (error) {
      h.dirty = true;
      logger.warn({ [kind]: id, err: (error as Error).message }, `${kind} reconcile failed; will retry`);
    }
  }
}
