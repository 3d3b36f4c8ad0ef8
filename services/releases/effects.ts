import type { ClusterPort } from '../cluster/directory.ts';
import { LABELS } from '../cluster/labels.ts';
import { canarySelectorOf, canaryTrackManifest, canaryWeightOf, weightManifest, trackManifests, type Manifest } from '../cluster/manifests.ts';
import {
  baseManifests,
  canaryDeployment,
  canarySplit,
  configManifests,
  inPlaceDeployment,
  promotedSplit,
  singleTrackSplit,
  type ReleaseLayout,
} from './cluster-plan.ts';
import type { Effect } from './model.ts';
import { isPermanentRefusal, statusOf } from '../cluster/refusal.ts';

/** What running a list of effects achieved. */
export interface EffectsOutcome {
  /** Every effect is in place (a final release with this outcome is settled). */
  complete: boolean;
  /** Why it stopped early: an error message or a wait (SCALE_DOWN_OLD before its time). */
  stoppedAt: string | null;
  /** The cluster refused the config revision's ConfigMap or Secret for good: the release must fail. */
  configRefused: string | null;
}

/** The cluster refused a revision's objects: retrying cannot help. */
class ConfigRefused extends Error {}

const deploymentRef = (layout: ReleaseLayout, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: layout.target.namespace },
});

/**
 * Runs effects in order through the cluster port, stopping at the first failure; every one is
 * an idempotent apply, so running a list again (after a crash, every reconcile) is harmless.
 * Router effects are skipped unless this release owns the router (it is the newest), so an
 * old release settling never overwrites its successor's weights.
 */
export async function runEffects(
  port: ClusterPort,
  layout: ReleaseLayout,
  effects: readonly Effect[],
  now: Date,
  stillLeader: () => boolean,
): Promise<EffectsOutcome> {
  for (const effect of effects) {
    if (!stillLeader()) return { complete: false, stoppedAt: 'lease lost', configRefused: null };
    try {
      const waiting = await runOne(port, layout, effect, now);
      if (waiting) return { complete: false, stoppedAt: waiting, configRefused: null };
    } catch (error) {
      const message = `${effect.type}: ${(error as Error).message}`;
      return { complete: false, stoppedAt: message, configRefused: error instanceof ConfigRefused ? error.message : null };
    }
  }
  return { complete: true, stoppedAt: null, configRefused: null };
}

/**
 * Writes a revision's ConfigMap and Secret before the Deployment that uses them, so no pod ever
 * starts on a half-written revision. @throws ConfigRefused when the cluster refuses them for good.
 */
async function ensureConfig(port: ClusterPort, layout: ReleaseLayout, config: ReleaseLayout['config']): Promise<void> {
  try {
    await applyAll(port, configManifests(layout, config));
  } catch (error) {
    if (!isPermanentRefusal(error)) throw error;
    // The API server's message names the object and field; the values are not in it.
    throw new ConfigRefused(`the cluster refused config revision ${config?.revision}'s objects (${statusOf(error)})`);
  }
}

async function applyAll(port: ClusterPort, manifests: Manifest[]): Promise<void> {
  for (const manifest of manifests) await ensure(port, manifest);
}

/**
 * Applies `manifest` unless the live object already has every field it sets. Effects run on every
 * reconcile; an unconditional apply is a write (and a watch event, which triggers the next
 * reconcile) even when nothing changes, and some API servers bump resourceVersion for it.
 */
async function ensure(port: ClusterPort, manifest: Manifest): Promise<void> {
  const live = await port.read(manifest);
  if (live && contains(live, manifest)) return;
  await port.apply(manifest);
}

/**
 * True when `live` has every field of `desired` with the same value; lists must match element for
 * element, and a null in `desired` (a field the apply removes) matches only an absent field.
 */
function contains(live: unknown, desired: unknown): boolean {
  if (desired === null) return live === null || live === undefined;
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((item, i) => contains(live[i], item));
  }
  if (typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    return Object.entries(desired).every(([key, value]) => contains((live as Record<string, unknown>)[key], value));
  }
  return live === desired;
}

/** @returns a reason to wait, or null when the effect is in place. */
async function runOne(port: ClusterPort, layout: ReleaseLayout, effect: Effect, now: Date): Promise<string | null> {
  const { release, router, target } = layout;
  switch (effect.type) {
    case 'ENSURE_CANARY':
      await applyAll(port, baseManifests(layout));
      await ensureConfig(port, layout, layout.config);
      await applyAll(port, [canaryDeployment(layout, effect.replicas)]);
      return null;
    case 'ENSURE_ROUTER': {
      if (!layout.ownsRouter) return null;
      const split = canarySplit(layout, 0);
      const weightRef = weightManifest(target, router, split);
      const current = await port.read(weightRef);
      const tracks = trackManifests(target, router, split);
      if (current === null) {
        // Tracks first, then weights: never a route to a subset that does not exist.
        await applyAll(port, [...tracks, weightRef]);
        return null;
      }
      // The canary track may still select a previous canary's version with weight on it (a
      // superseded release): take the weight off before pointing the track at pods not ready.
      // Once the track selects this release, its weight is this release's own: leave it alone
      // (resetting it on every pass would flap the traffic between 0 and the step's weight).
      if ((canaryWeightOf(router, current) ?? 0) > 0 && !(await canaryTrackIsOurs(port, layout))) await port.apply(weightRef);
      await applyAll(port, tracks);
      return null;
    }
    case 'SET_WEIGHT': {
      if (!layout.ownsRouter) return null;
      // Weight only onto this release's own pods: a newer release may have repointed the canary
      // track since this pass read the environment.
      if (effect.canaryWeight > 0 && !(await canaryTrackIsOurs(port, layout))) {
        return `weight ${effect.canaryWeight}% waits until the canary track selects ${release.version}`;
      }
      await ensure(port, weightManifest(target, router, canarySplit(layout, effect.canaryWeight)));
      return null;
    }
    case 'PROMOTE_STABLE': {
      if (!layout.ownsRouter) return null;
      const split = release.strategy === 'CANARY' ? promotedSplit(layout) : singleTrackSplit(layout);
      await applyAll(port, [...trackManifests(target, router, split), weightManifest(target, router, split)]);
      // The canary ran at the size declared when it started: as the stable version it runs the
      // environment's replicas now (updateEnvironment may have changed them meanwhile).
      if (release.strategy === 'CANARY' && layout.stableDeployment === release.deployment) {
        const live = await port.read(deploymentRef(layout, release.deployment));
        if (live && Number(live.spec?.replicas ?? 0) !== layout.replicas) await port.scale(deploymentRef(layout, release.deployment), layout.replicas);
      }
      return null;
    }
    case 'SCALE_DOWN_OLD': {
      const old = release.previousDeployment;
      // Never scale down what serves traffic now: after a rollback the old Deployment is stable again.
      if (!old || old === release.deployment || (old === layout.stableDeployment && layout.stableDeployment !== release.deployment)) return null;
      if (now < effect.notBefore) return `scale-down of ${old} waits until ${effect.notBefore.toISOString()}`;
      if (layout.revisionHistoryLimit === 0) {
        await port.remove(deploymentRef(layout, old));
      } else {
        const current = await port.read(deploymentRef(layout, old));
        if (current && Number(current.spec?.replicas ?? 0) > 0) await port.scale(deploymentRef(layout, old), 0);
      }
      await pruneHistory(port, layout);
      return null;
    }
    case 'REMOVE_CANARY': {
      if (release.deployment === layout.stableDeployment) return null;
      // A superseded release does not own the router: its successor takes the weight off this
      // version first. Removing the pods before that would route traffic to nothing.
      if (await routesTo(port, layout)) return `removal of ${release.deployment} waits until the router sends it no traffic`;
      await port.remove(deploymentRef(layout, release.deployment));
      return null;
    }
    case 'UPDATE_DEPLOYMENT': {
      if (!layout.ownsRouter) return null;
      const split = singleTrackSplit(layout);
      await applyAll(port, baseManifests(layout));
      await ensureConfig(port, layout, layout.config);
      await applyAll(port, [
        inPlaceDeployment(layout, release.version, release.image, effect.strategy, layout.config),
        ...trackManifests(target, router, split),
        weightManifest(target, router, split),
      ]);
      return null;
    }
    case 'RESTORE_DEPLOYMENT': {
      if (!layout.ownsRouter) return null;
      if (release.previousImage && release.previousVersion) {
        await ensureConfig(port, layout, layout.previousConfig);
        await ensure(port, inPlaceDeployment(layout, release.previousVersion, release.previousImage, effect.strategy, layout.previousConfig));
      } else if (await port.read(deploymentRef(layout, release.deployment))) {
        await port.scale(deploymentRef(layout, release.deployment), 0);
      }
      return null;
    }
  }
}

/** The release number in a version label (`r12` → 12); null for anything else. */
function releaseNumberOf(version: string | undefined): number | null {
  const match = /^r(\d+)$/.exec(version ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * Keeps the `revisionHistoryLimit` newest Deployments older than this release (scaled to zero,
 * for a quick rollback) and deletes the older ones. Never touches the stable Deployment, this
 * release's, newer releases', or one that still asks for pods (someone scaled it up again).
 * A rollback to a deleted version still works: it is a new release that creates its Deployment.
 */
async function pruneHistory(port: ClusterPort, layout: ReleaseLayout): Promise<void> {
  const { target, release } = layout;
  const current = releaseNumberOf(release.version) ?? 0;
  const older = port
    .snapshot(target.namespace, target.app)
    .deployments.filter((d) => !d.deleting && d.name !== release.deployment && d.name !== layout.stableDeployment && d.name !== release.previousDeployment)
    .map((d) => ({ name: d.name, desired: d.desiredReplicas, number: releaseNumberOf(d.labels[LABELS.version]) }))
    .filter((d): d is { name: string; desired: number; number: number } => d.number !== null && d.number < current)
    .sort((a, b) => b.number - a.number);
  // The previous Deployment (just scaled down, or removed with a limit of 0) is the newest revision.
  const keep = Math.max(0, layout.revisionHistoryLimit - (release.previousDeployment ? 1 : 0));
  for (const stale of older.slice(keep)) {
    if (stale.desired === 0) await port.remove(deploymentRef(layout, stale.name));
  }
}

/** True when the live canary track (DestinationRule subset or canary Service) selects this release's version. */
async function canaryTrackIsOurs(port: ClusterPort, layout: ReleaseLayout): Promise<boolean> {
  const { target, router, release } = layout;
  const track = canaryTrackManifest(target, router, canarySplit(layout, 0));
  const selector = track ? canarySelectorOf(router, await port.read(track)) : null;
  return selector?.[LABELS.version] === release.version;
}

/** True when the router's canary track selects this release's version and carries weight. */
async function routesTo(port: ClusterPort, layout: ReleaseLayout): Promise<boolean> {
  const { target, router } = layout;
  const weight = canaryWeightOf(router, await port.read(weightManifest(target, router, canarySplit(layout, 0))));
  return Boolean(weight) && (await canaryTrackIsOurs(port, layout));
}
