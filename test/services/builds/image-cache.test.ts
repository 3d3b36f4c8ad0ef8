import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseImagesOf, BuildWarmup, ImageCache, type StorageDriver } from '../../../services/builds/image-cache.ts';
import { unmountUnder } from '../../../services/builds/leftovers.ts';
import { Buildah, type ToolContext } from '../../../services/builds/tools.ts';
import { buildToolsMissing, pushBusyboxImage, startRegistry } from '../../support/builds.ts';

describe('baseImagesOf', () => {
  it('should name the images a Dockerfile starts from, without scratch, its own stages or unresolved placeholders', () => {
    const dockerfile = [
      'FROM --platform=linux/amd64 registry.local/base/jdk:17 AS build',
      'RUN make',
      'from build AS test',
      'FROM scratch',
      'FROM ${BASE}',
      '  FROM registry.local/base/busybox:1',
      'COPY --from=build /out /app',
      'FROM registry.local/base/jdk:17',
    ].join('\n');
    expect(baseImagesOf(dockerfile)).toEqual(['registry.local/base/jdk:17', 'registry.local/base/busybox:1']);
    expect(baseImagesOf('RUN echo FROM nowhere\n')).toEqual([]);
  });
});

const missing = buildToolsMissing();

// Real buildah and docker-registry: the cache is only worth what buildah makes of it.
describe.skipIf(missing)('the build image cache', { timeout: 120_000 }, () => {
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let base: string;
  let scratch: string;
  const ctx: ToolContext = { signal: new AbortController().signal, log: () => {} };

  beforeAll(async () => {
    registry = await startRegistry();
    base = pushBusyboxImage(registry.host);
    scratch = mkdtempSync(join(tmpdir(), 'gantry-image-cache-'));
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
    if (scratch) {
      await unmountUnder(scratch);
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  /** A build's own storage, reading the cache as its image store. */
  const buildStorage = (name: string, cache: ImageCache, driver: StorageDriver) =>
    new Buildah({ root: join(scratch, name, 'root'), runroot: join(scratch, name, 'run'), insecure: true, driver, storageOptions: cache.storageOptions(driver) });
  const buildah = (storage: string, driver: StorageDriver, ...args: string[]) =>
    spawnSync('buildah', ['--root', join(storage, 'root'), '--runroot', join(storage, 'run'), '--storage-driver', driver, ...args], { encoding: 'utf8' });

  it('should let a build start from the cached image without pulling it, and serve a re-pushed tag new', async () => {
    const cache = new ImageCache({ dir: join(scratch, 'cache-a'), driver: null, keepMs: 3_600_000, now: Date.now });
    const driver = await cache.driver();
    expect(['overlay', 'vfs']).toContain(driver);

    // One pull for builds asking at once.
    const first = cache.warm(base, true);
    expect(cache.warm(base, true)).toBe(first);
    expect(await first).toBe(true);

    const one = buildStorage('build-1', cache, driver);
    const container = await one.from(base, ctx);
    expect(container).toMatch(/working-container/);
    // The build's storage holds no image of its own: the one it runs on is the cache's, read-only.
    const listed = buildah(join(scratch, 'build-1'), driver, '--storage-opt', cache.storageOptions(driver)[1]!, 'images', '--format', '{{.Name}}:{{.Tag}} {{.ReadOnly}}');
    expect(listed.stdout.trim().replace(/\s+/g, ' ')).toBe(`${base} true`);
    await one.removeAll();

    // The tag is pushed again with other content: the next warm-up fetches it, and a build sees it.
    const other = join(scratch, 'repush');
    const work = buildah(other, 'vfs', 'from', '--quiet', '--tls-verify=false', base).stdout.trim().split('\n').at(-1)!;
    expect(buildah(other, 'vfs', 'run', '--isolation', 'chroot', work, '--', '/bin/sh', '-c', 'echo second > /marker').status).toBe(0);
    expect(buildah(other, 'vfs', 'commit', '--quiet', work, 'localhost/repushed:1').status).toBe(0);
    expect(buildah(other, 'vfs', 'push', '--quiet', '--tls-verify=false', 'localhost/repushed:1', `docker://${base}`).status).toBe(0);
    expect(await cache.warm(base, true)).toBe(true);
    const two = buildStorage('build-2', cache, driver);
    const next = await two.from(base, ctx);
    const seen: string[] = [];
    await two.exec('reading the marker', next, ['/bin/cat', '/marker'], { signal: ctx.signal, log: (line) => seen.push(line) });
    expect(seen).toContain('second');
    await two.removeAll();
  });

  it('should answer false for an image the registry does not have, so the build pulls and reports it itself', async () => {
    const cache = new ImageCache({ dir: join(scratch, 'cache-b'), driver: null, keepMs: 3_600_000, now: Date.now });
    const warmup = new BuildWarmup(cache, true);
    expect(await warmup.ready(`${registry.host}/nobody/nothing:1`)).toBe(false);
    expect(await warmup.ready(base)).toBe(true);
    // Local images (the build stage's own result) are never pulled.
    expect(await warmup.ready('localhost/gantry/build-x:latest')).toBe(false);
  });

  it('should leave a build whose image cannot be fetched to fail with buildah\'s own words, before any pull has filled the cache', async () => {
    const cache = new ImageCache({ dir: join(scratch, 'cache-d'), driver: null, keepMs: 3_600_000, now: Date.now });
    const driver = await cache.driver();
    const image = `${registry.host}/nobody/base:1`;
    expect(await new BuildWarmup(cache, true).ready(image)).toBe(false);
    await expect(buildStorage('build-d', cache, driver).from(image, ctx)).rejects.toThrow(new RegExp(`pulling ${image.replace(/[.]/g, '\\.')} failed[\\s\\S]*manifest unknown`));
  });

  it('should remove images unused for longer than it keeps them, and only while no build runs', async () => {
    let now = Date.now();
    const dir = join(scratch, 'cache-c');
    const cache = new ImageCache({ dir, driver: null, keepMs: 60_000, now: () => now });
    const driver = await cache.driver();
    expect(await cache.warm(base, true)).toBe(true);
    const cached = () => buildah(dir, driver, 'images', '--format', '{{.Name}}:{{.Tag}}').stdout.trim();
    expect(cached()).toBe(base);

    now += 30_000;
    expect(await cache.pruneIfIdle(() => true)).toBe(0); // used 30 s ago: kept
    // A new process on the same data dir reads the use times back (uses.json).
    now += 3_600_000;
    const restarted = new ImageCache({ dir, driver, keepMs: 60_000, now: () => now });
    expect(await restarted.pruneIfIdle(() => false)).toBe(0); // a build runs: nothing goes
    expect(cached()).toBe(base);
    const later = new ImageCache({ dir, driver, keepMs: 60_000, now: () => now });
    expect(await later.pruneIfIdle(() => true)).toBe(1);
    expect(cached()).toBe('');

    // Nothing of the cache stays mounted once unmounted (the overlay driver bind-mounts its
    // storage's directory and leaves it so), and the directory can then be removed.
    await unmountUnder(dir);
    expect(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes(dir))).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});
