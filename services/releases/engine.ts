import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { namespaceOwnerSlug } from '../apps/namespaces.ts';
import { findAppsByIds, findEnvironmentsByIds } from '../apps/repository.ts';
import type { ClusterDirectory } from '../cluster/directory.ts';
import type { Clock } from '../shared/clock.ts';
import type { ReleaseBus } from './bus.ts';
import { layoutOf } from './cluster-plan.ts';
import { runEffects } from './effects.ts';
import { desiredEffects } from './machine.ts';
import { isFinalStatus } from './model.ts';
import { observe } from './observe.ts';
import * as repo from './repository.ts';
import { commitTransition } from './commit.ts';
import { decodeState } from './state-codec.ts';

export interface EngineOptions {
  db: Database;
  clusters: ClusterDirectory;
  clock: Clock;
  logger: Logger;
  bus: ReleaseBus;
  /** A lease not renewed for this long may be taken over by another process. */
  leaseTtlMs?: number;
  /** How often unsettled releases are scanned (deadlines, timed pauses, leases). */
  tickMs?: number;
  /** Told how many releases this process drives whenever that changes (a metric). */
  onDriving?: (count: number) => void;
}

/** Effects are re-applied at least this often even when nothing seems to have changed. */
const RESYNC_MS = 10_000;

interface Held {
  epoch: number;
  /** The cluster changed (or a command arrived) since effects last ran completely. */
  dirty: boolean;
  lastEffectsAt: number;
  /** Local deadline of the lease: past it, this process must stop writing. */
  validUntil: number;
  unwatch: (() => void) | null;
  running: boolean;
  again: boolean;
}

/**
 * Drives releases: a level-triggered reconcile per release that observes the cluster, feeds
 * the pure machine, commits its state and events (fenced by the lease epoch), then applies the
 * desired effects. Triggered by cluster changes of the app, by commands (the bus) and by a
 * tick. Exactly one process drives a release at a time: a lease in the release row, renewed
 * every tick and taken over by another process once it expires.
 */
export class ReleaseEngine {
  readonly owner = `gantry-${randomUUID()}`;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private scanning: Promise<void> | null = null;
  private readonly ttl: number;

  constructor(private readonly options: EngineOptions) {
    this.ttl = options.leaseTtlMs ?? 15_000;
  }

  start(): void {
    this.unsubscribe = this.options.bus.subscribe((id) => {
      if (this.held.has(id)) this.kick(id, true);
      else void this.scan();
    });
    this.timer = setInterval(() => void this.scan(), this.options.tickMs ?? 1_000);
    this.timer.unref();
    void this.scan();
  }

  /** Stops driving; leases are given back so another process takes over at once. */
  async stop(options: { releaseLeases?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.scanning;
    for (const [id, h] of this.held) {
      h.unwatch?.();
      while (h.running) await new Promise((r) => setTimeout(r, 10));
      if (options.releaseLeases !== false) await repo.releaseLease(this.options.db, id, this.owner).catch(() => {});
    }
    this.held.clear();
  }

  /** Releases this process drives now (for tests and metrics). */
  get driving(): string[] {
    return [...this.held.keys()];
  }

  private scan(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.scanning ??= this.scanOnce().finally(() => {
      this.scanning = null;
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const { db, logger } = this.options;
    try {
      const rows = await repo.unsettledReleases(db);
      const live = new Set(rows.map((r) => r.id));
      for (const id of this.held.keys()) if (!live.has(id)) this.drop(id);
      const renewedFrom = Date.now();
      const leases = await repo.acquireLeases(
        db,
        rows.map((r) => r.id),
        this.owner,
        this.ttl,
      );
      for (const row of rows) {
        const epoch = leases.get(row.id) ?? null;
        if (epoch === null) {
          if (this.held.has(row.id)) this.drop(row.id);
          continue;
        }
        let h = this.held.get(row.id);
        if (h && h.epoch !== epoch) {
          this.drop(row.id);
          h = undefined;
        }
        if (!h) {
          h = { epoch, dirty: true, lastEffectsAt: 0, validUntil: 0, unwatch: null, running: false, again: false };
          this.held.set(row.id, h);
          this.options.onDriving?.(this.held.size);
          void this.watchCluster(row, h);
          logger.info({ release: row.id, epoch }, 'driving release');
        }
        // Renewed in the database; locally count from before the renewal, to stay on the safe side.
        h.validUntil = renewedFrom + this.ttl * 0.8;
        this.kick(row.id);
      }
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'release scan failed');
    }
  }

  private async watchCluster(row: repo.ReleaseRow, h: Held): Promise<void> {
    const [environment] = await findEnvironmentsByIds(this.options.db, [row.environmentId]);
    if (!environment) return;
    const [app] = await findAppsByIds(this.options.db, [environment.appId]);
    const port = this.options.clusters.port(environment.cluster);
    if (!port || !app || this.held.get(row.id) !== h) return;
    h.unwatch = port.watchApp(environment.namespace, app.name, () => this.kick(row.id, true));
  }

  private drop(id: string): void {
    this.held.get(id)?.unwatch?.();
    this.held.delete(id);
    this.options.onDriving?.(this.held.size);
  }

  /**
   * Runs a reconcile of the release now, or right after the one in progress. `changed` says
   * something happened (a cluster event, a command): effects are then re-applied, not just
   * observed, which is all the periodic tick needs for deadlines and timed pauses.
   */
  private kick(id: string, changed = false): void {
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
          await this.reconcile(id, h);
        } while (h.again && !this.stopped && this.held.get(id) === h);
      } finally {
        h.running = false;
      }
    })();
  }

  private async reconcile(id: string, h: Held): Promise<void> {
    const { db, clusters, clock, logger, bus } = this.options;
    const stillLeader = () => !this.stopped && this.held.get(id) === h && Date.now() < h.validUntil;
    try {
      const [row] = await repo.findReleasesByIds(db, [id]);
      if (!row || row.settledAt || !stillLeader()) return;
      const [environment] = await findEnvironmentsByIds(db, [row.environmentId]);
      const [app] = environment ? await findAppsByIds(db, [environment.appId]) : [];
      const port = environment ? clusters.port(environment.cluster) : null;
      // Until the cluster's caches have listed once, an empty cache means "unknown", not "gone":
      // observing now would read as "no pods ready". Its first LIST emits events that kick us.
      if (!environment || !app || !port || !port.synced()) return;
      let state = decodeState(row.state);
      if (!isFinalStatus(state.status)) {
        const observation = await observe(port, layoutOf(row, environment, app.name));
        const committed = await commitTransition(db, id, observation, { owner: this.owner, epoch: h.epoch }, clock.now());
        if (committed === 'LOST') {
          this.drop(id);
          return;
        }
        if (typeof committed === 'object' && 'error' in committed) {
          logger.error({ release: id, error: committed.error }, 'observation refused by the machine');
          return;
        }
        if (committed !== 'UNCHANGED') {
          bus.publish(id);
          h.dirty = true;
        }
      }
      if (!h.dirty && Date.now() - h.lastEffectsAt < RESYNC_MS) return;
      h.dirty = false;
      // Re-read the environment: a success just moved its stable Deployment.
      const [freshEnv] = await findEnvironmentsByIds(db, [row.environmentId]);
      const [freshRow] = await repo.findReleasesByIds(db, [id]);
      if (!freshEnv || !freshRow) return;
      state = decodeState(freshRow.state);
      const owner = await namespaceOwnerSlug(db, freshEnv.cluster, freshEnv.namespace);
      const outcome = await runEffects(port, layoutOf(freshRow, freshEnv, app.name, owner), desiredEffects(state), clock.now(), stillLeader);
      if (outcome.complete) h.lastEffectsAt = Date.now();
      else h.dirty = true;
      if (outcome.stoppedAt === 'lease lost' || outcome.stoppedAt?.includes('waits until')) {
        logger.debug({ release: id, reason: outcome.stoppedAt }, 'release effects paused');
      } else if (outcome.stoppedAt) {
        logger.warn({ release: id, reason: outcome.stoppedAt }, 'release effects incomplete; will retry');
      }
      if (outcome.complete && isFinalStatus(state.status)) {
        const layout = layoutOf(freshRow, freshEnv, app.name);
        if (state.status !== 'SUCCEEDED' && layout.ownsRouter) {
          // The machine ignores observations once final; record the weight the router now reads
          // back (0 after an abort) so appliedWeight tells the truth about the cluster.
          const seen = await observe(port, layout);
          if (seen.appliedCanaryWeight !== null && seen.appliedCanaryWeight !== state.appliedWeight) {
            const fence = { owner: this.owner, epoch: h.epoch };
            await db.transaction(async (tx) => {
              const locked = await repo.lockRelease(tx, id);
              if (locked) await repo.saveTransition(tx, locked, { ...decodeState(locked.state), appliedWeight: seen.appliedCanaryWeight }, [], fence);
            });
            bus.publish(id);
          }
        }
        await repo.markSettled(db, id, clock.now(), { owner: this.owner, epoch: h.epoch });
        this.drop(id);
        logger.info({ release: id, status: state.status }, 'release settled');
      }
    } catch (error) {
      logger.warn({ release: id, err: (error as Error).message }, 'reconcile failed; will retry');
    }
  }
}
