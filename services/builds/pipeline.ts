import { mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { baseImagesOf, BuildWarmup, type ImageCache } from './image-cache.ts';
import { unmountUnder, workspaceBuildah } from './leftovers.ts';
import { killProcessesUnder, runProcess } from './process.ts';
import type { ImageRegistry } from './registry.ts';
import { BUILD_IMAGE_PLACEHOLDER, placeholdersOf, prepareCacheKey, substitute, type BuildSpec } from './spec.ts';
import { Buildah, Git, ToolFailure, type ToolContext } from './tools.ts';

/** What a running build reports, in order; the worker turns these into rows, events and log lines. */
export interface PipelineRecorder {
  sourceResolved(commit: string, ref: string): Promise<void>;
  stageStarted(stage: string, extra?: { cacheKey?: string }): Promise<void>;
  stageEnded(stage: string, status: 'SUCCEEDED' | 'CACHED' | 'FAILED', extra?: { cacheKey?: string; cacheHit?: boolean; message?: string }): Promise<void>;
  artifactPublished(artifact: { kind: 'IMAGE' | 'TARBALL'; name: string; reference: string; digest: string }): Promise<void>;
  /** One line of output of `source` (a stage name, or `checkout`). */
  log(source: string, line: string): void;
}

export interface PipelineInput {
  buildId: string;
  number: number;
  project: string;
  app: string;
  repoUrl: string;
  /** Null: the repository's default branch. */
  ref: string | null;
  spec: BuildSpec;
  /** The spec's defaults with createBuild's overrides (Gantry's own are added here). */
  variables: Record<string, string>;
  /** This build's scratch directory (workspace, buildah storage); removed at the end. */
  workDir: string;
  /** Keeps a packed tarball where every Gantry process can serve it. @returns its digest (`sha256:…`). */
  storeTarball: (name: string, file: string) => Promise<string>;
  /** The download path of a tarball (Artifact.reference). */
  tarballReference: (name: string) => string;
  registry: ImageRegistry;
  allowFileRepos: boolean;
  signal: AbortSignal;
  /** Cross-process claims on building a prepare image (one builder per cache key). */
  claims: PrepareClaims;
  /** The process's storage driver and cache of pulled images (image-cache.ts). */
  images: ImageCache;
}

/** Who builds a prepare image: `claim` answers whether this build may (and renews its claim). */
export interface PrepareClaims {
  claim(image: string): Promise<boolean>;
  release(image: string): Promise<void>;
}

const CLAIM_RENEW_MS = 5_000;

/** Shares one prepare stage among builds with the same cache key in this process. */
const preparing = new Map<string, Promise<void>>();

/**
 * Runs a build: checkout → prepare (cached by key in the registry) → build → one package stage
 * per artifact. Throws on the first failure; the caller marks the build and the later stages.
 */
export async function runPipeline(input: PipelineInput, recorder: PipelineRecorder): Promise<void> {
  const { spec, registry, signal } = input;
  const src = join(input.workDir, 'src');
  const driver = await input.images.driver();
  const buildah = workspaceBuildah(input.workDir, registry.insecure, driver, input.images.storageOptions(driver));
  const warmup = new BuildWarmup(input.images, registry.insecure);
  const ctx = (source: string): ToolContext => ({ signal, log: (line) => recorder.log(source, line) });
  await mkdir(input.workDir, { recursive: true });
  // Ended with the pipeline, so nothing of it starts in a workspace being removed.
  const earlyStop = new AbortController();
  let early: Promise<EarlyContainer | null> = Promise.resolve(null);
  let pushedPrepare: string | null = null;
  try {
    const known: Record<string, string> = { ...input.variables, GANTRY_APP: input.app, GANTRY_PROJECT: input.project, GANTRY_BUILD_NUMBER: String(input.number) };
    // What the build starts containers from, warmed while the source is cloned where no
    // placeholder needs the commit or the ref (warming is a cache fill: a wrong guess costs nothing).
    warmup.start(...imagesToWarm(input, known, registry.host));
    // And the build stage's container, made and mounted meanwhile when its prepare image is
    // already in the registry (the build stage takes it if that is still the image it needs).
    const earlyRef = prepareRefWith(input, known, registry.host);
    early = earlyRef ? earlyContainer(buildah, warmup, earlyRef, { signal: AbortSignal.any([signal, earlyStop.signal]), log: ctx('build').log }) : early;
    const source = await new Git(input.allowFileRepos).checkout(input.repoUrl, input.ref, src, ctx('checkout'));
    await recorder.sourceResolved(source.commit, source.ref);
    const values: Record<string, string> = { ...known, GANTRY_COMMIT: source.commit, GANTRY_REF: source.ref };
    warmup.start(...imagesToWarm(input, values, registry.host));
    // The source goes into containers without its .git (history stays out of images and caches).
    await rm(join(src, '.git'), { recursive: true, force: true });

    // prepare
    const key = prepareCacheKey(spec.prepare, values);
    const prepareRepo = `${input.project}/${input.app}-prepare`;
    const prepareRef = `${registry.host}/${prepareRepo}:${key}`;
    await recorder.stageStarted('prepare', { cacheKey: key });
    const cached = await awaitPrepare(input, prepareRepo, key, prepareRef, (line) => recorder.log('prepare', line));
    if (cached) {
      recorder.log('prepare', `reusing ${prepareRef}`);
      await recorder.stageEnded('prepare', 'CACHED', { cacheKey: key, cacheHit: true });
    } else {
      const run = preparePhase(buildah, warmup, input, values, src, prepareRef, ctx('prepare'));
      preparing.set(prepareRef, run);
      const renew = setInterval(() => void input.claims.claim(prepareRef).catch(() => {}), CLAIM_RENEW_MS);
      try {
        await run;
        pushedPrepare = prepareRef;
      } finally {
        clearInterval(renew);
        if (preparing.get(prepareRef) === run) preparing.delete(prepareRef);
        await input.claims.release(prepareRef).catch(() => {});
      }
      await recorder.stageEnded('prepare', 'SUCCEEDED', { cacheKey: key, cacheHit: false });
    }

    // build
    await recorder.stageStarted('build');
    const buildCtx = ctx('build');
    const made = await early;
    let container: string;
    let mounted: string | null = null;
    if (made && made.image === prepareRef) {
      ({ container, mounted } = made);
    } else {
      await warmup.ready(prepareRef);
      container = await buildah.from(prepareRef, buildCtx);
    }
    await buildah.copy(container, `${src}/`, '/workspace', buildCtx);
    await buildah.script(container, spec.build.commands, values, '/workspace', buildCtx);
    const buildImage = `localhost/gantry/build-${input.buildId}:latest`;
    // Committing copies the whole filesystem with vfs storage: only when a Dockerfile names ${BUILD}.
    const usesBuildImage = spec.artifacts.some((a) => a.kind === 'image' && (a.dockerfile === null || a.dockerfile.includes(`\${${BUILD_IMAGE_PLACEHOLDER}}`)));
    if (usesBuildImage) await buildah.commit(container, buildImage, buildCtx);
    // The image artifacts' build context and the tarballs: the workspace as the build left it,
    // read where the container's filesystem is mounted (copying it out cost a pass over every
    // file). Symlinks in it are resolved against the host, so every path is checked to stay inside.
    const workspace = join(mounted ?? (await buildah.mount(container, buildCtx)), 'workspace');
    await recorder.stageEnded('build', 'SUCCEEDED');

    // package:<name>
    let images = 0;
    for (const artifact of spec.artifacts) {
      const stage = `package:${artifact.name}`;
      await recorder.stageStarted(stage);
      const pctx = ctx(stage);
      if (artifact.kind === 'image') {
        const text = artifact.dockerfile ?? (await readFile(await insideWorkspace(workspace, artifact.dockerfilePath!), 'utf8'));
        const dockerfile = join(input.workDir, `Dockerfile.${artifact.name}`);
        const resolved = substitute(text, { ...values, [BUILD_IMAGE_PLACEHOLDER]: buildImage });
        await writeFile(dockerfile, resolved);
        await warmup.ready(...baseImagesOf(resolved));
        const local = `localhost/gantry/package-${input.buildId}-${artifact.name}:latest`;
        await buildah.bud(dockerfile, workspace, local, pctx);
        const repository = `${input.project}/${images === 0 ? input.app : `${input.app}-${artifact.name}`}`;
        images += 1;
        const reference = `${registry.host}/${repository}:b${input.number}`;
        const digest = await buildah.push(local, reference, join(input.workDir, `digest.${artifact.name}`), pctx);
        await recorder.artifactPublished({ kind: 'IMAGE', name: artifact.name, reference: `${reference}@${digest}`, digest });
      } else {
        for (const path of artifact.paths) await insideWorkspace(workspace, path);
        // Packed in the workspace (removed with it), kept in the shared store.
        const file = join(input.workDir, `tarball.${artifact.name}.tar.gz`);
        const tar = await runProcess('tar', ['-czf', file, '-C', workspace, '--', ...artifact.paths], { signal, onLine: (line) => pctx.log(line) });
        if (tar.code !== 0) throw new ToolFailure('tar', tar);
        const digest = await input.storeTarball(artifact.name, file);
        await recorder.artifactPublished({ kind: 'TARBALL', name: artifact.name, reference: input.tarballReference(artifact.name), digest });
      }
      await recorder.stageEnded(stage, 'SUCCEEDED');
    }
    // The prepare image it pushed goes into the cache for the next build, only once its own
    // storage reads no more (it holds the same image and layers, and a store of its own and a
    // read-only one gaining the same layers at once is a race buildah does not promise to win),
    // and before the build ends, so the next build finds it there.
    if (pushedPrepare) await input.images.warm(pushedPrepare, registry.insecure);
  } finally {
    earlyStop.abort();
    await early;
    await killProcessesUnder(input.workDir);
    await buildah.removeAll();
    await unmountUnder(input.workDir);
    await rm(input.workDir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Waits until this build may build the prepare image or another build has pushed it: one
 * builder per cache key, in this process (a shared promise) and across processes (a claim row).
 * @returns true when the image is in the registry (cached), false when this build must build it.
 */
async function awaitPrepare(input: PipelineInput, repository: string, key: string, image: string, log: (line: string) => void): Promise<boolean> {
  let told = false;
  for (;;) {
    if (input.signal.aborted) throw input.signal.reason instanceof Error ? input.signal.reason : new Error('canceled');
    if ((await input.registry.manifestDigest(repository, key)) !== null) return true;
    const flight = preparing.get(image);
    if (!flight && (await input.claims.claim(image))) {
      // Claimed: it may have been pushed between the check and the claim.
      if ((await input.registry.manifestDigest(repository, key)) !== null) {
        await input.claims.release(image);
        return true;
      }
      return false;
    }
    if (!told) log(`waiting for another build preparing ${image}`);
    told = true;
    if (flight) await flight.catch(() => {});
    else await new Promise((r) => setTimeout(r, 500));
  }
}

async function preparePhase(buildah: Buildah, warmup: BuildWarmup, input: PipelineInput, values: Record<string, string>, src: string, prepareRef: string, ctx: ToolContext): Promise<void> {
  const image = substitute(input.spec.prepare.image, values);
  await warmup.ready(image);
  const container = await buildah.from(image, ctx);
  await buildah.copy(container, `${src}/`, '/workspace', ctx);
  await buildah.script(container, input.spec.prepare.commands, values, '/workspace', ctx);
  // Keep only the prepare paths in /workspace: the cached image must not depend on the source.
  // The paths are argv entries of a fixed script, never spliced into it.
  const keep =
    'set -e; cd /workspace; mkdir -p /.gantry-keep; for p in "$@"; do if [ -e "$p" ]; then mkdir -p "/.gantry-keep/$(dirname "$p")"; mv "$p" "/.gantry-keep/$p"; fi; done; cd /; rm -rf /workspace; mv /.gantry-keep /workspace';
  await buildah.exec('keeping the prepare paths', container, ['/bin/sh', '-c', keep, 'sh', ...input.spec.prepare.paths], ctx);
  await buildah.commit(container, prepareRef, ctx);
  await buildah.push(prepareRef, prepareRef, join(input.workDir, 'digest.prepare'), ctx);
}

/**
 * The images a build with these `values` will start from and that can be named with them: its
 * prepare image (when its key needs no value missing here) and the bases of its inline
 * Dockerfiles. The prepare stage's own image is warmed only if that stage runs.
 */
function imagesToWarm(input: PipelineInput, values: Record<string, string>, registryHost: string): string[] {
  const prepareRef = prepareRefWith(input, values, registryHost);
  const images: string[] = prepareRef ? [prepareRef] : [];
  for (const artifact of input.spec.artifacts) if (artifact.kind === 'image' && artifact.dockerfile !== null) images.push(...baseImagesOf(substitute(artifact.dockerfile, values)));
  return images;
}

/** The prepare image's reference, or null when its key needs a value `values` lacks (the commit, the ref). */
function prepareRefWith(input: PipelineInput, values: Record<string, string>, registryHost: string): string | null {
  const { prepare } = input.spec;
  if (!placeholdersOf([prepare.image, ...prepare.commands].join('\n')).every((name) => Object.hasOwn(values, name))) return null;
  return `${registryHost}/${input.project}/${input.app}-prepare:${prepareCacheKey(prepare, values)}`;
}

interface EarlyContainer {
  image: string;
  container: string;
  mounted: string;
}

/**
 * A container from `image`, mounted, when the image could be cached (it is in the registry).
 * @returns null otherwise or on any failure: the build stage then makes its own, and reports.
 */
async function earlyContainer(buildah: Buildah, warmup: BuildWarmup, image: string, ctx: ToolContext): Promise<EarlyContainer | null> {
  try {
    const stopped = new Promise<false>((resolve) => ctx.signal.addEventListener('abort', () => resolve(false), { once: true }));
    // Not waiting out a long pull once the pipeline has ended (the cache keeps pulling).
    if (!(await Promise.race([warmup.ready(image), stopped])) || ctx.signal.aborted) return null;
    const container = await buildah.from(image, ctx);
    return { image, container, mounted: await buildah.mount(container, ctx) };
  } catch {
    return null;
  }
}

/** Resolves a workspace path, refusing one that leaves the workspace through a symlink. */
async function insideWorkspace(workspace: string, path: string): Promise<string> {
  const root = await realpath(workspace);
  let real: string;
  try {
    real = await realpath(join(workspace, path));
  } catch {
    throw new Error(`${path} does not exist in the workspace after the build stage`);
  }
  if (real !== root && !real.startsWith(root + sep)) throw new Error(`${path} leads outside the workspace (a symlink); refused`);
  return real;
}
