import type { ClusterPort } from '../cluster/directory.ts';
import { canaryWeightOf, weightManifest, trackManifests, type Manifest } from '../cluster/manifests.ts';
import {
  baseManifests,
  canaryDeployment,
  canarySplit,
  inPlaceDeployment,
  promotedSplit,
  singleTrackSplit,
  type ReleaseLayout,
} from './cluster-plan.ts';
import type { Effect } from './model.ts';

/** What running a list of effects achieved. */
export interface EffectsOutcome {
  /** Every effect is in place (a final release with this outcome is settled). */
  complete: boolean;
  /** Why it stopped early: an error message or a wait (SCALE_DOWN_OLD before its time). */
  stoppedAt: string | null;
}

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
    if (!stillLeader()) return { complete: false, stoppedAt: 'lease lost' };
    try {
      const waiting = await runOne(port, layout, effect, now);
      if (waiting) return { complete: false, stoppedAt: waiting };
    } catch (error) {
      return { complete: false, stoppedAt: `${effect.type}: ${(error as Error).message}` };
    }
  }
  return { complete: true, stoppedAt: null };
}

async function applyAll(port: ClusterPort, manifests: Manifest[]): Promise<void> {
  for (const manifest of manifests) await port.apply(manifest);
}

/** @returns a reason to wait, or null when the effect is in place. */
async function runOne(port: ClusterPort, layout: ReleaseLayout, effect: Effect, now: Date): Promise<string | null> {
  const { release, router, target } = layout;
  switch (effect.type) {
    case 'ENSURE_CANARY':
      await applyAll(port, [...baseManifests(layout), canaryDeployment(layout, effect.replicas)]);
      return null;
    case 'ENSURE_ROUTER': {
      if (!layout.ownsRouter) return null;
      const weightRef = weightManifest(target, router, canarySplit(layout, 0));
      const current = await port.read(weightRef);
      const tracks = trackManifests(target, router, canarySplit(layout, 0));
      if (current === null) {
        // Tracks first, then weights: never a route to a subset that does not exist.
        await applyAll(port, [...tracks, weightRef]);
        return null;
      }
      // The canary track may still select a previous canary's version with weight on it (a
      // superseded release): take the weight off before pointing the track at pods not ready.
      if ((canaryWeightOf(router, current) ?? 0) > 0) await port.apply(weightRef);
      await applyAll(port, tracks);
      return null;
    }
    case 'SET_WEIGHT': {
      if (!layout.ownsRouter) return null;
      await port.apply(weightManifest(target, router, canarySplit(layout, effect.canaryWeight)));
      return null;
    }
    case 'PROMOTE_STABLE': {
      if (!layout.ownsRouter) return null;
      const split = release.strategy === 'CANARY' ? promotedSplit(layout) : singleTrackSplit(layout);
      await applyAll(port, [...trackManifests(target, router, split), weightManifest(target, router, split)]);
      return null;
    }
    case 'SCALE_DOWN_OLD': {
      const old = release.previousDeployment;
      // Never scale down what serves traffic now: after a rollback the old Deployment is stable again.
      if (!old || old === release.deployment || (old === layout.stableDeployment && layout.stableDeployment !== release.deployment)) return null;
      if (now < effect.notBefore) return `scale-down of ${old} waits until ${effect.notBefore.toISOString()}`;
      const current = await port.read(deploymentRef(layout, old));
      if (current && Number(current.spec?.replicas ?? 0) > 0) await port.scale(deploymentRef(layout, old), 0);
      return null;
    }
    case 'REMOVE_CANARY':
      if (release.deployment !== layout.stableDeployment) await port.remove(deploymentRef(layout, release.deployment));
      return null;
    case 'UPDATE_DEPLOYMENT': {
      if (!layout.ownsRouter) return null;
      const split = singleTrackSplit(layout);
      await applyAll(port, [
        ...baseManifests(layout),
        inPlaceDeployment(layout, release.version, release.image, effect.strategy),
        ...trackManifests(target, router, split),
        weightManifest(target, router, split),
      ]);
      return null;
    }
    case 'RESTORE_DEPLOYMENT': {
      if (!layout.ownsRouter) return null;
      if (release.previousImage && release.previousVersion) {
        await port.apply(inPlaceDeployment(layout, release.previousVersion, release.previousImage, effect.strategy));
      } else if (await port.read(deploymentRef(layout, release.deployment))) {
        await port.scale(deploymentRef(layout, release.deployment), 0);
      }
      return null;
    }
  }
}
