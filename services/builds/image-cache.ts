import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from './process.ts';

/**
 * How builds keep images: every build has storage of its own (`--root`/`--runroot` in its
 * workspace, removed with it), and this process keeps one more, the image cache, that every
 * build's storage reads as an additional read-only image store. A build then starts its
 * containers from the cached base and prepare images instead of pulling and unpacking them into
 * an empty storage each time (GitLab runners keep pulled images for the same reason); it still
 * asks the registry for the newest manifest (`--pull=true`), so a re-pushed tag is never served
 * stale. Only the cache is written by pulls ({@link ImageCache.warm}); builds never write it.
 *
 * The storage driver is overlay where the kernel lets this process mount it (a container layer
 * is then a directory on top of its image, not a copy of it), vfs otherwise.
 */
export type StorageDriver = 'overlay' | 'vfs';

const CACHE_ENV = { PATH: process.env.PATH, HOME: process.env.HOME };

/** Runs buildah on one storage; @returns null on success, or its last lines. */
async function buildahOn(root: string, driver: StorageDriver, args: string[]): Promise<string | null> {
  const result = await runProcess('buildah', ['--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', driver, ...args], { env: CACHE_ENV });
  return result.code === 0 ? null : result.tail.filter((l) => l.trim()).slice(-3).join('\n') || `exit ${result.code}`;
}

/**
 * Whether overlay works here: a container from `scratch` mounted and unmounted in a throwaway
 * storage under `dir`. Unprivileged containers and some filesystems refuse it; vfs always works.
 */
export async function probeStorageDriver(dir: string): Promise<StorageDriver> {
  const probe = join(dir, `probe-${process.pid}`);
  try {
    await mkdir(probe, { recursive: true });
    if ((await buildahOn(probe, 'overlay', ['from', '--quiet', '--name', 'gantry-probe', 'scratch'])) !== null) return 'vfs';
    const mounted = (await buildahOn(probe, 'overlay', ['mount', 'gantry-probe'])) === null;
    await buildahOn(probe, 'overlay', ['rm', '--all']);
    return mounted ? 'overlay' : 'vfs';
  } catch {
    return 'vfs';
  } finally {
    await rm(probe, { recursive: true, force: true }).catch(() => {});
  }
}

export interface ImageCacheOptions {
  /** `<dataDir>/builds/image-cache`. */
  dir: string;
  /** GANTRY_BUILD_STORAGE_DRIVER, or null to probe. */
  driver: StorageDriver | null;
  /** Images not used for this long are removed when no build runs (GANTRY_BUILD_IMAGE_CACHE_HOURS). */
  keepMs: number;
  now: () => number;
}

/** The process's image cache (see the top of this file). */
export class ImageCache {
  private driverChoice: Promise<StorageDriver> | null = null;
  /** Pulls in flight, by image reference: builds asking for the same image share one. */
  private readonly pulls = new Map<string, Promise<boolean>>();
  /** When each image was last asked for; kept in `uses.json` for pruning across restarts. */
  private uses: Map<string, number> | null = null;
  private lastPrune = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly options: ImageCacheOptions) {}

  /** The storage driver of every build and of the cache (probed once, on first use). */
  driver(): Promise<StorageDriver> {
    this.driverChoice ??= (async () => {
      const driver = this.options.driver ?? (await probeStorageDriver(this.options.dir));
      // Overlay refuses an image store that does not exist yet (before the first pull).
      await mkdir(join(this.options.dir, 'root'), { recursive: true });
      return driver;
    })();
    return this.driverChoice;
  }

  /** The global buildah options that make a build's storage read the cache. */
  storageOptions(driver: StorageDriver): string[] {
    return ['--storage-opt', `${driver}.imagestore=${join(this.options.dir, 'root')}`];
  }

  /**
   * Brings `image` into the cache, or up to date there (`pull --policy=always`: with the image
   * cached that is one manifest request). Never throws: a build whose image could not be cached
   * pulls it into its own storage, and fails there with buildah's own words if it cannot.
   * @returns whether the cache holds the newest image now.
   */
  warm(image: string, insecure: boolean): Promise<boolean> {
    const key = `${insecure ? 'http' : 'https'} ${image}`;
    let pull = this.pulls.get(key);
    if (!pull) {
      pull = (async () => {
        const driver = await this.driver();
        await this.touch(image);
        return (await buildahOn(this.options.dir, driver, ['pull', '--quiet', '--policy=always', '--retry', '0', `--tls-verify=${!insecure}`, '--', image])) === null;
      })()
        .catch(() => false)
        .finally(() => this.pulls.delete(key));
      this.pulls.set(key, pull);
    }
    return pull;
  }

  /**
   * Removes cached images nobody asked for within `keepMs`, at most once an hour. Only when no
   * build runs in this process (`idle`): a running build's containers sit on the cache's layers.
   */
  async pruneIfIdle(idle: () => boolean): Promise<number> {
    const now = this.options.now();
    if (now - this.lastPrune < 3_600_000 || !idle() || this.pulls.size > 0) return 0;
    this.lastPrune = now;
    const uses = await this.loadUses();
    const stale = [...uses].filter(([, at]) => now - at > this.options.keepMs).map(([image]) => image);
    if (stale.length === 0) return 0;
    const driver = await this.driver();
    let removed = 0;
    for (const image of stale) {
      // A build that started meanwhile may have asked for it again.
      if (!idle() || now - (uses.get(image) ?? 0) <= this.options.keepMs) continue;
      // Missing already (never pulled, or removed by hand) is as good as removed.
      await buildahOn(this.options.dir, driver, ['rmi', '--force', '--', image]);
      uses.delete(image);
      removed += 1;
    }
    await this.saveUses();
    return removed;
  }

  private async touch(image: string): Promise<void> {
    const uses = await this.loadUses();
    uses.set(image, this.options.now());
    await this.saveUses();
  }

  private async loadUses(): Promise<Map<string, number>> {
    if (this.uses) return this.uses;
    let loaded: Map<string, number>;
    try {
      const parsed = JSON.parse(await readFile(join(this.options.dir, 'uses.json'), 'utf8')) as unknown;
      loaded = new Map(Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number'));
    } catch {
      loaded = new Map(); // first start, or a damaged file: the cache ages from now
    }
    this.uses ??= loaded;
    return this.uses;
  }

  /** One write at a time (they share the temporary file); a failed write is retried by the next. */
  private saveUses(): Promise<void> {
    this.saving = this.saving.then(() => this.writeUses()).catch(() => {});
    return this.saving;
  }

  private async writeUses(): Promise<void> {
    if (!this.uses) return;
    await mkdir(this.options.dir, { recursive: true });
    // Written whole and renamed: a crash leaves the old file, never half of one.
    const file = join(this.options.dir, 'uses.json');
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(Object.fromEntries(this.uses)));
    await rename(temporary, file);
  }
}

/**
 * The images a Dockerfile starts from (`FROM [--platform=…] <image> [AS <name>]`), without
 * `scratch` and the names of its own earlier stages: the images worth warming before its `bud`.
 * A line this misses costs only the warm-up; `bud` pulls what it needs itself.
 */
export function baseImagesOf(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const match = /^\s*FROM\s+((?:--\S+\s+)*)(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line);
    if (!match) continue;
    const image = match[2]!;
    if (image !== 'scratch' && !stages.has(image.toLowerCase()) && !image.includes('$')) images.push(image);
    if (match[3]) stages.add(match[3].toLowerCase());
  }
  return [...new Set(images)];
}

/**
 * One build's use of the cache: each image warmed once per build, started as early as its name
 * is known (before the checkout when no placeholder needs the commit) and awaited just before a
 * container or `bud` starts from it, so pulls overlap the build's other work.
 */
export class BuildWarmup {
  private readonly started = new Map<string, Promise<boolean>>();

  constructor(
    private readonly cache: ImageCache,
    private readonly insecure: boolean,
  ) {}

  /** Starts warming `images` (local ones, named `localhost/…`, are not pulled). */
  start(...images: string[]): void {
    for (const image of images) if (!image.startsWith('localhost/') && !this.started.has(image)) this.started.set(image, this.cache.warm(image, this.insecure));
  }

  /**
   * Waits for the warm-up of `images` (starting it where it has not started).
   * @returns whether the cache holds the newest of each.
   */
  async ready(...images: string[]): Promise<boolean> {
    this.start(...images);
    return (await Promise.all(images.map((image) => this.started.get(image) ?? false))).every(Boolean);
  }
}
