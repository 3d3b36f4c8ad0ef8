import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { builds } from '../../db/schema/index.ts';
import type { NotifyHub } from '../shared/notify.ts';
import type { Clock } from '../shared/clock.ts';
import { TopicBus } from '../shared/runtime/bus.ts';
import { FeedHub } from '../shared/runtime/feed.ts';
import { leaseStoreFor } from '../shared/runtime/leases.ts';
import type { LogLineFeed } from '../shared/runtime/log-lines.ts';
import { LeasedWorker } from '../shared/runtime/worker.ts';
import { BuildLog } from './build-log.ts';
import { ImageCache, type StorageDriver } from './image-cache.ts';
import { ManagedRegistry, RemoteRegistry, type ImageRegistry } from './registry.ts';
import * as repo from './repository.ts';
import { sweepWorkspaces, unmountUnder } from './leftovers.ts';
import { BuildRunner } from './runner.ts';
import type { BuildsScope } from './scope.ts';

/** Builds' settings (GANTRY_REGISTRY, GANTRY_BUILD_CONCURRENCY, …), parsed by server/config.ts. */
export interface BuildSettings {
  /** `host:port` of the image registry; unset = the managed docker-registry under the data dir. */
  registry: string | undefined;
  concurrency: number;
  allowFileRepos: boolean;
  leaseTtlMs: number;
  tickMs: number;
  /** Builds' storage driver (GANTRY_BUILD_STORAGE_DRIVER); null = overlay where it works. */
  storageDriver: StorageDriver | null;
  /** Cached images unused this long are removed (GANTRY_BUILD_IMAGE_CACHE_HOURS). */
  imageCacheHours: number;
}

/** Builds are leased work items of the shared runtime: oldest first. */
export const buildLeases = leaseStoreFor(builds, builds.createdAt);

/** The running builds domain of one process: what the composition root starts and stops. */
export interface BuildsEngine {
  scope: (publicUrl: () => string) => BuildsScope;
  runner: BuildRunner;
  worker: LeasedWorker;
  stop(): Promise<void>;
}

/**
 * Starts the builds domain on the shared runtime: a TopicBus `build`, a FeedHub of build events,
 * a LeasedWorker over the `builds` table whose reconcile is the {@link BuildRunner}, and the image
 * registry (configured, or a managed one started on first use).
 */
export function startBuilds(deps: { db: Database; hub: NotifyHub; logger: Logger; clock: Clock; dataDir: string; logLines: LogLineFeed; settings: BuildSettings }): BuildsEngine {
  const { db, logger, settings } = deps;
  const bus = new TopicBus(deps.hub, 'build');
  bus.start();
  const events = new FeedHub<repo.BuildEventRow>({
    bus,
    load: (buildId, after, limit) => repo.listEvents(db, buildId, after, limit),
    sequenceOf: (row) => row.sequence,
  });
  const managed = settings.registry ? null : new ManagedRegistry(deps.dataDir, (message, extra) => logger.info({ ...extra }, message));
  const remote: ImageRegistry | null = settings.registry ? new RemoteRegistry(settings.registry) : null;
  const imageCacheDir = join(deps.dataDir, 'builds', 'image-cache');
  const images = new ImageCache({ dir: imageCacheDir, driver: settings.storageDriver, keepMs: settings.imageCacheHours * 3_600_000, now: Date.now });
  const log = new BuildLog({ append: (stream, lines) => deps.logLines.append(stream, lines), now: () => deps.clock.now() });
  const runner = new BuildRunner({
    db,
    logger,
    clock: deps.clock,
    concurrency: settings.concurrency,
    dataDir: deps.dataDir,
    registry: () => (remote ? Promise.resolve(remote) : managed!.get()),
    allowFileRepos: settings.allowFileRepos,
    publish: (id) => bus.publish(id),
    log,
    images,
  });
  const worker = new LeasedWorker({
    kind: 'build',
    db,
    logger,
    leases: buildLeases,
    bus,
    leaseTtlMs: settings.leaseTtlMs,
    tickMs: settings.tickMs,
    select: runner.select,
    reconcile: runner.reconcile,
  });
  // Leftovers of builds this data dir ran before a crash go before any new build starts here.
  let stopping = false;
  const started = sweepWorkspaces(deps.dataDir, logger)
    .catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'could not sweep old build workspaces'))
    .then(() => {
      if (!stopping) worker.start();
    });
  return {
    scope: (publicUrl) => ({ bus, events, allowFileRepos: settings.allowFileRepos, publicUrl }),
    runner,
    worker,
    async stop() {
      // Builds still running end FAILED ("Gantry shut down"), then the leases are given back.
      stopping = true;
      await started;
      await runner.stop();
      await worker.stop();
      // The overlay driver's private bind mount of the cache's storage outlives buildah.
      await unmountUnder(imageCacheDir).catch(() => 0);
      log.stop();
      events.close();
      bus.stop();
      await managed?.stop();
    },
  };
}
