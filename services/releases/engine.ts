import type { Logger } from 'pino';
import type { Database, Tx } from '../../db/client.ts';
import { releases } from '../../db/schema/index.ts';
import { pruneConfigObjects, renderRevision } from '../config/render.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { namespaceOwnerSlug } from '../apps/namespaces.ts';
import { findAppsByIds, findEnvironmentsByIds } from '../apps/repository.ts';
import type { ClusterDirectory } from '../cluster/directory.ts';
import type { Clock } from '../shared/clock.ts';
import { leaseStoreFor } from '../shared/runtime/leases.ts';
import { LeasedWorker, type LeasedJob, type ReconcileOutcome } from '../shared/runtime/worker.ts';
import type { ReleaseBus } from './bus.ts';
import { layoutOf } from './cluster-plan.ts';
import { findEndpointsByApps } from '../metrics/repository.ts';
import { commitTransition } from './commit.ts';
import { runEffects } from './effects.ts';
import { desiredEffects } from './machine.ts';
import { isFinalStatus, type ReleaseInput, type ReleaseState } from './model.ts';
import { observe } from './observe.ts';
import * as repo from './repository.ts';
import { decodeState } from './state-codec.ts';
import { vmEffects } from './vm-steps.ts';
import { desiredCloudWeight } from './joint-steps.ts';
import type { VmReleasePort } from '../vms/release-port.ts';

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
  /** Opens config secrets to write a revision's Secret. */
  secretBox: SecretBox;
  /** Canary analysis (services/metrics/analysis.ts): a due check's result, committed before observing. */
  /** `target: VM` releases: the hosts' reports and their desired release (services/vms). */
  vms?: VmReleasePort;
  analyze?: (release: { id: string; version: string }, state: ReleaseState, where: { cluster: string; namespace: string; app: string }, now: Date) => Promise<{ input: ReleaseInput; record: (tx: Tx) => Promise<void> } | null>;
}

/** Who drives which release: the lease columns of the releases table. */
export const releaseLeases = leaseStoreFor(releases, releases.createdAt);

/**
 * Drives releases on the shared {@link LeasedWorker}: a level-triggered reconcile per release
 * that observes the cluster, feeds the pure machine, commits its state and events (fenced by the
 * lease epoch), then applies the desired effects. Triggered by cluster changes of the app, by
 * commands (the bus) and by the worker's tick.
 */
export class ReleaseEngine {
  private readonly worker: LeasedWorker;

  constructor(private readonly options: EngineOptions) {
    this.worker = new LeasedWorker({
      kind: 'release',
      db: options.db,
      logger: options.logger,
      leases: releaseLeases,
      bus: options.bus,
      ...(options.leaseTtlMs !== undefined && { leaseTtlMs: options.leaseTtlMs }),
      ...(options.tickMs !== undefined && { tickMs: options.tickMs }),
      ...(options.onDriving && { onDriving: options.onDriving }),
      reconcile: (job) => this.reconcile(job),
      watch: (id, kick) => this.watchCluster(id, kick),
    });
  }

  /** This process's lease owner name (a metric label). */
  get owner(): string {
    return this.worker.owner;
  }

  start(): void {
    this.worker.start();
  }

  /** Stops driving; leases are given back so another process takes over at once. */
  stop(options: { releaseLeases?: boolean } = {}): Promise<void> {
    return this.worker.stop(options);
  }

  /** Releases this process drives now (for tests and metrics). */
  get driving(): string[] {
    return this.worker.driving;
  }

  private async watchCluster(id: string, kick: () => void): Promise<(() => void) | null> {
    const [row] = await repo.findReleasesByIds(this.options.db, [id]);
    const [environment] = row ? await findEnvironmentsByIds(this.options.db, [row.environmentId]) : [];
    if (!environment) return null;
    const [app] = await findAppsByIds(this.options.db, [environment.appId]);
    const port = this.options.clusters.port(environment.cluster);
    if (!port || !app) return null;
    return port.watchApp(environment.namespace, app.name, kick);
  }

  /** The release's config revision and the one it replaced, secrets opened, for writing their objects. */
  private async configsOf(row: repo.ReleaseRow) {
    const { db, secretBox } = this.options;
    const config = await renderRevision(db, secretBox, row.environmentId, row.configRevision);
    const previousConfig = row.previousConfigRevision === null ? null : await renderRevision(db, secretBox, row.environmentId, row.previousConfigRevision);
    return { config, previousConfig };
  }

  private async reconcile(job: LeasedJob): Promise<ReconcileOutcome> {
    const { db, clusters, clock, logger, bus } = this.options;
    const id = job.id;
    const fence = { owner: job.owner, epoch: job.epoch };
    const [row] = await repo.findReleasesByIds(db, [id]);
    if (!row || row.settledAt) return 'settled';
    if (!job.stillLeader()) return 'lost';
    const [environment] = await findEnvironmentsByIds(db, [row.environmentId]);
    const [app] = environment ? await findAppsByIds(db, [environment.appId]) : [];
    const port = environment ? clusters.port(environment.cluster) : null;
    // Until the cluster's caches have listed once, an empty cache means "unknown", not "gone":
    // observing now would read as "no pods ready". Its first LIST emits events that kick us.
    if (!environment || !app || !port || !port.synced()) return 'retry';
    let changed = job.changed;
    let state = decodeState(row.state);
    if (!isFinalStatus(state.status) && this.options.analyze) {
      const check = await this.options.analyze(row, state, { cluster: environment.cluster, namespace: environment.namespace, app: app.name }, clock.now()).catch(() => null);
      const committed = check ? await commitTransition(db, id, check.input, fence, clock.now(), check.record) : 'UNCHANGED';
      if (committed === 'LOST') return 'lost';
      if (typeof committed === 'object' && 'state' in committed) {
        bus.publish(id);
        changed = true;
        state = committed.state;
      }
    }
    if (!isFinalStatus(state.status)) {
      const observation = await observe(port, layoutOf(row, environment, app.name));
      if (state.vm && this.options.vms) observation.vmHosts = await this.options.vms.observe(row, state.vm);
      if (state.joint && this.options.vms) observation.splitCloudWeight = await this.options.vms.readSplit(row.environmentId);
      const committed = await commitTransition(db, id, observation, fence, clock.now());
      if (committed === 'LOST') return 'lost';
      if (typeof committed === 'object' && 'error' in committed) {
        logger.error({ release: id, error: committed.error }, 'observation refused by the machine');
        return 'done';
      }
      if (committed !== 'UNCHANGED') {
        bus.publish(id);
        changed = true;
      }
    }
    if (!changed) return 'done';
    // Re-read the environment: a success just moved its stable Deployment.
    const [freshEnv] = await findEnvironmentsByIds(db, [row.environmentId]);
    const [freshRow] = await repo.findReleasesByIds(db, [id]);
    if (!freshEnv || !freshRow) return 'settled';
    state = decodeState(freshRow.state);
    const owner = await namespaceOwnerSlug(db, freshEnv.cluster, freshEnv.namespace);
    const [endpoint] = await findEndpointsByApps(db, [app.id]);
    const layout = { ...layoutOf(freshRow, freshEnv, app.name, owner), ...(await this.configsOf(freshRow)), metricsEndpoint: endpoint ?? null };
    let splitPending = false;
    if (state.joint) {
      // The split first (an abort puts it back at once), then the hosts, then the cluster below.
      const weight = desiredCloudWeight(state, state.joint);
      if (!this.options.vms || !job.stillLeader()) return 'retry';
      if (weight !== null) {
        const applied = await this.options.vms.applySplit(freshRow.environmentId, weight).catch((error: unknown) => {
          logger.warn({ release: id, err: (error as Error).message }, 'could not set the load balancer weight; will retry');
          return null;
        });
        // The cluster's effects still run; the release is not settled until the split is where it should be.
        splitPending = applied === null;
      }
      await this.options.vms.apply(freshRow, vmEffects(state, state.vm!, id));
    } else if (state.vm) {
      if (!this.options.vms || !job.stillLeader()) return 'retry';
      await this.options.vms.apply(freshRow, vmEffects(state, state.vm, id));
      if (!isFinalStatus(state.status)) return 'done';
      await releaseLeases.settle(db, id, clock.now(), fence);
      logger.info({ release: id, status: state.status }, 'release settled');
      return 'settled';
    }
    const outcome = await runEffects(port, layout, desiredEffects(state), clock.now(), job.stillLeader);
    if (outcome.configRefused && !isFinalStatus(state.status)) {
      // Before any traffic moved (the config objects come first): the release cannot run.
      const failed = await commitTransition(db, id, { type: 'FAIL', reason: outcome.configRefused }, fence, clock.now());
      if (failed === 'LOST') return 'lost';
      bus.publish(id);
      return 'retry';
    }
    if (outcome.stoppedAt === 'lease lost' || outcome.stoppedAt?.includes('waits until')) {
      logger.debug({ release: id, reason: outcome.stoppedAt }, 'release effects paused');
    } else if (outcome.stoppedAt) {
      logger.warn({ release: id, reason: outcome.stoppedAt }, 'release effects incomplete; will retry');
    }
    if (!outcome.complete || splitPending) return 'retry';
    if (!isFinalStatus(state.status)) return 'done';
    if (state.status !== 'SUCCEEDED' && layout.ownsRouter) {
      // The machine ignores observations once final; record the weight the router now reads
      // back (0 after an abort) so appliedWeight tells the truth about the cluster.
      const seen = await observe(port, layout);
      if (seen.appliedCanaryWeight !== null && seen.appliedCanaryWeight !== state.appliedWeight) {
        await db.transaction(async (tx) => {
          const locked = await repo.lockRelease(tx, id);
          if (locked) await repo.saveTransition(tx, locked, { ...decodeState(locked.state), appliedWeight: seen.appliedCanaryWeight }, [], fence);
        });
        bus.publish(id);
      }
    }
    await pruneConfigObjects(db, port, layout.target, freshEnv.id, id).catch((error: unknown) =>
      logger.warn({ release: id, err: (error as Error).message }, 'could not prune unused config objects; the next release retries'),
    );
    await releaseLeases.settle(db, id, clock.now(), fence);
    logger.info({ release: id, status: state.status }, 'release settled');
    return 'settled';
  }
}
