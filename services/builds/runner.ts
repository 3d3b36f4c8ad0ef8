import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { findAppsByIds } from '../apps/repository.ts';
import { findProjectsWithRole } from '../projects/repository.ts';
import type { Clock } from '../shared/clock.ts';
import { toGlobalId } from '../shared/ids.ts';
import { storeTarball } from './artifact-store.ts';
import { BuildLog } from './build-log.ts';
import { cleanUpWorkspace, WORKSPACE_HOST } from './leftovers.ts';
import type { ImageCache } from './image-cache.ts';
import { runPipeline, type PipelineRecorder } from './pipeline.ts';
import type { ImageRegistry } from './registry.ts';
import * as repo from './repository.ts';
import { parseSpec } from './spec.ts';
import type { LeasedJob, ReconcileOutcome } from '../shared/runtime/worker.ts';

/** The job handle the shared LeasedWorker passes to reconcile. */
export type BuildJob = Pick<LeasedJob, 'id' | 'epoch' | 'owner' | 'stillLeader'>;

export interface RunnerOptions {
  db: Database;
  logger: Logger;
  clock: Clock;
  /** Builds run at once in this process (GANTRY_BUILD_CONCURRENCY); the rest stay QUEUED in order. */
  concurrency: number;
  /** Workspaces under `<dataDir>/builds/work` (tarballs go to the database: artifact-store.ts). */
  dataDir: string;
  /** The image registry (GANTRY_REGISTRY or the managed one); throws naming what is missing. */
  registry: () => Promise<ImageRegistry>;
  allowFileRepos: boolean;
  /** Announces a committed change of a build (topic `build`). */
  publish: (buildId: string) => void;
  /** Stores a build's output lines (shared log_lines) and announces them. */
  log: BuildLog;
  /** The storage driver and the cache of pulled images every build reads. */
  images: ImageCache;
}

interface Running {
  epoch: number;
  abort: AbortController;
  done: Promise<void>;
}

/** Thrown inside a pipeline when its writes no longer land: canceled, or the lease moved on. */
class BuildLost extends Error {}

/**
 * Runs builds for the shared LeasedWorker: `reconcile` starts a QUEUED build when this process
 * has a free slot (oldest first), keeps a running one leased, fails one whose process died
 * (RUNNING here without a local pipeline means the lease was taken over), and settles ended ones.
 */
export class BuildRunner {
  private readonly running = new Map<string, Running>();
  private stopping = false;

  constructor(private readonly options: RunnerOptions) {}

  /** Builds running in this process now. */
  get active(): string[] {
    return [...this.running.keys()];
  }

  /** A build's workspace (absolute: it is recorded for whoever takes the build over). */
  workDirOf(buildId: string): string {
    return resolve(this.options.dataDir, 'builds', 'work', buildId);
  }

  /**
   * The builds this process should lease now (the LeasedWorker's `select`): those it runs or that
   * are no longer queued (to settle or to fail), and only as many QUEUED ones, oldest first, as
   * it has free slots. Queued builds beyond that stay unleased for other processes.
   */
  readonly select = async (ids: readonly string[]): Promise<readonly string[]> => {
    if (ids.length === 0) return ids;
    const statuses = await repo.statusesOf(this.options.db, ids);
    let free = this.stopping ? 0 : this.options.concurrency - this.running.size;
    return ids.filter((id) => {
      if (this.running.has(id) || statuses.get(id) !== 'QUEUED') return true;
      free -= 1;
      return free >= 0;
    });
  };

  readonly reconcile = async (job: BuildJob): Promise<ReconcileOutcome> => {
    const { db, clock } = this.options;
    const [build] = await repo.findBuildsByIds(db, [job.id]);
    if (!build || build.settledAt) return 'settled';
    const local = this.running.get(build.id);
    if (repo.FINAL_BUILD_STATUSES.includes(build.status)) {
      // Ended (a cancel, or our own pipeline's last write): stop our processes, then settle.
      if (local) {
        local.abort.abort(new BuildLost('build ended'));
        return 'done';
      }
      const settled = await repo.updateBuild(db, build.id, { settledAt: clock.now(), leaseOwner: null, leaseExpiresAt: null }, { fence: job });
      this.options.publish(build.id);
      return settled ? 'settled' : 'lost';
    }
    if (build.status === 'RUNNING') {
      if (local && local.epoch === job.epoch) return 'done';
      if (local) local.abort.abort(new BuildLost('lease moved'));
      else await this.cleanUpAfter(build);
      // Leased here, running nowhere here: the process that ran it stopped (its lease expired).
      await this.finish(build.id, job, {
        status: 'FAILED',
        message: 'the Gantry process running this build stopped before it finished (its lease expired); start a new build',
      });
      return 'settled';
    }
    // QUEUED: start it if a slot is free and no older queued build is waiting for one.
    if (this.stopping || this.running.size >= this.options.concurrency || !job.stillLeader()) return 'done';
    const next = await repo.oldestQueued(db, this.options.concurrency - this.running.size, []);
    if (!next.includes(build.id)) return 'done';
    const started = await repo.updateBuild(
      db,
      build.id,
      { status: 'RUNNING', startedAt: clock.now(), workspaceHost: WORKSPACE_HOST, workspaceDir: this.workDirOf(build.id) },
      { fence: job, from: ['QUEUED'] },
    );
    if (!started) return 'done';
    this.options.publish(build.id);
    this.start(started, job);
    return 'done';
  };

  /**
   * A build whose process died: its buildah and git processes and containers outlive it (see
   * leftovers.ts). On the same host they are ended here, before the build is failed; another
   * host's are swept when the Gantry there starts again.
   */
  private async cleanUpAfter(build: repo.BuildRow): Promise<void> {
    const { logger } = this.options;
    if (!build.workspaceDir) return;
    if (build.workspaceHost !== WORKSPACE_HOST) {
      logger.warn({ build: build.id, host: build.workspaceHost }, 'the build ran on another host: its leftover processes are ended when Gantry starts there again');
      return;
    }
    const killed = await cleanUpWorkspace(build.workspaceDir).catch((error: unknown) => {
      logger.warn({ build: build.id, err: (error as Error).message }, 'could not clean up the workspace of a build whose process died');
      return 0;
    });
    logger.info({ build: build.id, killed }, 'ended the leftovers of a build whose process died');
  }

  private start(build: repo.BuildRow, job: BuildJob): void {
    const abort = new AbortController();
    const entry: Running = { epoch: job.epoch, abort, done: Promise.resolve() };
    this.running.set(build.id, entry);
    entry.done = this.execute(build, job, abort).finally(() => {
      if (this.running.get(build.id) === entry) this.running.delete(build.id);
      // Old cached images go when nothing here runs on them (at most hourly; see image-cache.ts).
      if (this.running.size === 0 && !this.stopping) {
        void this.options.images
          .pruneIfIdle(() => this.running.size === 0 && !this.stopping)
          .catch((error: unknown) => this.options.logger.warn({ err: (error as Error).message }, 'could not prune the build image cache'));
      }
    });
  }

  private async execute(build: repo.BuildRow, job: BuildJob, abort: AbortController): Promise<void> {
    const { db, logger } = this.options;
    const spec = parseSpec(build.spec);
    const timeout = AbortSignal.timeout(spec.timeoutSeconds * 1000);
    const signal = AbortSignal.any([abort.signal, timeout]);
    const recorder = this.recorder(build, job, abort);
    try {
      const [app] = await findAppsByIds(db, [build.appId]);
      const [project] = app ? (await findProjectsWithRole(db, 'id', [app.projectId], null)).map((r) => r.project) : [];
      if (!app || !project) throw new Error('the app was deleted');
      const registry = await this.options.registry();
      await runPipeline(
        {
          buildId: build.id,
          number: build.number,
          project: project.slug,
          app: app.name,
          repoUrl: app.repoUrl ?? '',
          ref: build.requestedRef,
          spec,
          variables: build.variables,
          workDir: this.workDirOf(build.id),
          storeTarball: (name, file) => storeTarball(db, build.id, name, file),
          tarballReference: (name) => `/artifacts/${toGlobalId('Build', build.id)}/${name}.tar.gz`,
          registry,
          allowFileRepos: this.options.allowFileRepos,
          signal,
          images: this.options.images,
          claims: {
            claim: (image) => repo.claimPrepare(db, image, `${job.owner}/${build.id}`, 20_000),
            release: (image) => repo.releasePrepare(db, image, `${job.owner}/${build.id}`),
          },
        },
        recorder,
      );
      await this.options.log.flush(build.id);
      await this.finish(build.id, job, { status: 'SUCCEEDED', message: null });
    } catch (error) {
      await this.options.log.flush(build.id).catch(() => {});
      if (abort.signal.aborted && abort.signal.reason instanceof BuildLost) return;
      const message = timeout.aborted
        ? `the build outlived timeoutSeconds (${spec.timeoutSeconds} s)`
        : this.stopping
          ? 'Gantry shut down while this build ran; start a new build'
          : (error as Error).message;
      logger.info({ build: build.id, reason: message.split('\n')[0] }, 'build failed');
      await this.finish(build.id, job, { status: 'FAILED', message }).catch((e: unknown) => logger.warn({ build: build.id, err: (e as Error).message }, 'could not record a failed build'));
    }
  }

  /** Records the end of a build (fenced): final stage statuses, the final event, settled. */
  private async finish(buildId: string, job: BuildJob, end: { status: 'SUCCEEDED' | 'FAILED'; message: string | null }): Promise<void> {
    const { db, clock } = this.options;
    const now = clock.now();
    await db.transaction(async (tx) => {
      const row = await repo.lockBuild(tx, buildId);
      if (!row || row.leaseOwner !== job.owner || row.leaseEpoch !== job.epoch) return;
      if (repo.FINAL_BUILD_STATUSES.includes(row.status)) {
        await repo.updateBuild(tx, buildId, { settledAt: now, leaseOwner: null, leaseExpiresAt: null }, { fence: job });
        return;
      }
      const failedStage = row.stages.find((s) => s.status === 'RUNNING')?.name ?? null;
      const stages = row.stages.map((s) =>
        s.status === 'RUNNING' ? { ...s, status: end.status === 'SUCCEEDED' ? ('SUCCEEDED' as const) : ('FAILED' as const), finishedAt: now.toISOString() } : s.status === 'PENDING' ? { ...s, status: 'SKIPPED' as const } : s,
      );
      await repo.updateBuild(tx, buildId, { status: end.status, statusMessage: end.message, stages, finishedAt: now, settledAt: now, leaseOwner: null, leaseExpiresAt: null }, { fence: job });
      const events: repo.NewBuildEvent[] = [];
      if (end.status === 'FAILED' && failedStage) events.push({ type: 'STAGE_FAILED', stage: failedStage, message: firstLine(end.message), at: now });
      events.push({ type: end.status, message: end.status === 'SUCCEEDED' ? `build #${row.number} succeeded` : firstLine(end.message), at: now });
      await repo.appendEvents(tx, buildId, events);
    });
    this.options.publish(buildId);
  }

  private recorder(build: repo.BuildRow, job: BuildJob, abort: AbortController): PipelineRecorder {
    const { db, clock } = this.options;
    /** Applies a change to the RUNNING build we lease, with its events; aborts the pipeline otherwise. */
    const write = async (change: (row: repo.BuildRow) => Partial<repo.BuildRow>, events: (row: repo.BuildRow) => repo.NewBuildEvent[]) => {
      const ok = await db.transaction(async (tx) => {
        const row = await repo.lockBuild(tx, build.id);
        if (!row || row.status !== 'RUNNING' || row.leaseOwner !== job.owner || row.leaseEpoch !== job.epoch) return false;
        await repo.updateBuild(tx, build.id, change(row), { fence: job, from: ['RUNNING'] });
        await repo.appendEvents(tx, build.id, events(row));
        return true;
      });
      if (!ok) {
        abort.abort(new BuildLost('canceled or taken over'));
        throw new BuildLost('canceled or taken over');
      }
      this.options.publish(build.id);
    };
    const setStage = (row: repo.BuildRow, name: string, patch: Partial<repo.StoredStage>) => ({
      stages: row.stages.map((s) => (s.name === name ? { ...s, ...patch } : s)),
    });
    return {
      sourceResolved: (commit, ref) => write((row) => ({ commit, ...(row.requestedRef === null ? { ref } : {}) }), () => []),
      stageStarted: (stage, extra) =>
        write(
          (row) => setStage(row, stage, { status: 'RUNNING', startedAt: clock.now().toISOString(), ...(extra?.cacheKey ? { cacheKey: extra.cacheKey } : {}) }),
          () => [{ type: 'STAGE_STARTED', stage, message: `${stage} started`, at: clock.now() }],
        ),
      stageEnded: (stage, status, extra) =>
        write(
          (row) =>
            setStage(row, stage, {
              status,
              finishedAt: clock.now().toISOString(),
              ...(extra?.cacheKey ? { cacheKey: extra.cacheKey } : {}),
              ...(extra?.cacheHit !== undefined ? { cacheHit: extra.cacheHit } : {}),
            }),
          () => [
            {
              type: status === 'CACHED' ? 'STAGE_CACHED' : status === 'FAILED' ? 'STAGE_FAILED' : 'STAGE_SUCCEEDED',
              stage,
              message: status === 'CACHED' ? `${stage} reused the cached image (key ${extra?.cacheKey})` : `${stage} ${status.toLowerCase()}`,
              at: clock.now(),
            },
          ],
        ),
      artifactPublished: (artifact) =>
        write(
          (row) => ({ artifacts: [...row.artifacts, artifact] }),
          () => [{ type: 'ARTIFACT_PUBLISHED', stage: `package:${artifact.name}`, message: `${artifact.kind.toLowerCase()} ${artifact.name}: ${artifact.reference}`, at: clock.now() }],
        ),
      log: (source, line) => this.options.log.add(build.id, source, line),
    };
  }

  /** Stops every running build (they end FAILED: Gantry shut down) and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    const all = [...this.running.values()];
    for (const r of all) r.abort.abort(new Error('shutting down'));
    await Promise.allSettled(all.map((r) => r.done));
  }
}

function firstLine(text: string | null): string {
  return (text ?? '').split('\n')[0]!.slice(0, 500);
}
