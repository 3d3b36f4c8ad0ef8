import type { EnvironmentRow } from '../apps/repository.ts';
import {
  deploymentManifest,
  namespaceManifest,
  serviceManifest,
  trackManifests,
  versionSelector,
  weightManifest,
  type Manifest,
  type TrafficSplit,
  type WorkloadTarget,
} from '../cluster/manifests.ts';
import { LABELS } from '../cluster/labels.ts';
import { scrapeAnnotations } from '../cluster/scrape-annotations.ts';
import type { Router } from '../cluster/workload.ts';
import { configObjects, podConfig, type RenderedConfig } from '../cluster/config-manifests.ts';
import type { ReleaseRow } from './repository.ts';

/**
 * Everything the engine needs to turn one release's effects into Kubernetes objects: which
 * Deployments, which tracks, who owns the router. Pure: computed from rows.
 */
export interface ReleaseLayout {
  target: WorkloadTarget;
  router: Router;
  release: Pick<ReleaseRow, 'id' | 'version' | 'image' | 'strategy' | 'deployment' | 'previousDeployment' | 'previousVersion' | 'previousImage' | 'configRevision'>;
  /** The environment's replicas: the size of a Deployment that serves all traffic. */
  replicas: number;
  /** The environment's current stable Deployment (never scaled down or removed). */
  stableDeployment: string | null;
  /** Only the environment's newest release writes its router objects. */
  ownsRouter: boolean;
  /** Older Deployments kept at zero replicas for rollback; the ones beyond are deleted. */
  revisionHistoryLimit: number;
  /** The config revision the release runs with, secrets opened; null when not loaded (observing needs none). */
  config: RenderedConfig | null;
  /** The stable release's revision when this one started: what a failed in-place rollout goes back to. */
  previousConfig: RenderedConfig | null;
  /** The app's metrics endpoint, for its pods' `prometheus.io/*` annotations; absent or null: none. */
  metricsEndpoint?: { port: number; path: string } | null;
}

/** `projectSlug`: the namespace owner's, for the namespace's project label (null: no label). */
export function layoutOf(release: ReleaseRow, environment: EnvironmentRow, appName: string, projectSlug: string | null = null): ReleaseLayout {
  return {
    target: { namespace: environment.namespace, app: appName, environment: environment.name, project: projectSlug },
    router: environment.router as Router,
    release,
    replicas: environment.replicas,
    stableDeployment: environment.stableDeployment,
    ownsRouter: release.number === environment.releaseCount,
    revisionHistoryLimit: environment.revisionHistoryLimit,
    config: null,
    previousConfig: null,
  };
}

/** ROLLING/RECREATE releases route to the app by name only, so a version change in place keeps its traffic. */
function appSelector(layout: ReleaseLayout): Record<string, string> {
  return { [LABELS.name]: layout.target.app };
}

/** The split while this canary runs: stable = the previous version (or itself on a first release). */
export function canarySplit(layout: ReleaseLayout, canaryWeight: number): TrafficSplit {
  const { target, release } = layout;
  return {
    stable: versionSelector(target, release.previousVersion ?? release.version),
    canary: versionSelector(target, release.version),
    canaryWeight,
  };
}

/** After a canary succeeded: both tracks select the new version. */
export function promotedSplit(layout: ReleaseLayout): TrafficSplit {
  const selector = versionSelector(layout.target, layout.release.version);
  return { stable: selector, canary: selector, canaryWeight: 0 };
}

/** ROLLING/RECREATE: one track, by app name. */
export function singleTrackSplit(layout: ReleaseLayout): TrafficSplit {
  return { stable: appSelector(layout), canary: null, canaryWeight: 0 };
}

/** Namespace and the app Service: present before any Deployment or track points at them. */
export function baseManifests(layout: ReleaseLayout): Manifest[] {
  return [namespaceManifest(layout.target), serviceManifest(layout.target)];
}

export function canaryDeployment(layout: ReleaseLayout, replicas: number): Manifest {
  const { target, release } = layout;
  return deploymentManifest(target, release.version, release.image, replicas, 'ROLLING', release.deployment, podConfigOf(layout, layout.config), scrapeAnnotations(layout.metricsEndpoint));
}

/** The in-place Deployment of a ROLLING/RECREATE release running `version`/`image` with `config`. */
export function inPlaceDeployment(layout: ReleaseLayout, version: string, image: string, strategy: 'ROLLING' | 'RECREATE', config: RenderedConfig | null): Manifest {
  return deploymentManifest(layout.target, version, image, layout.replicas, strategy, layout.release.deployment, podConfigOf(layout, config), scrapeAnnotations(layout.metricsEndpoint));
}

function podConfigOf(layout: ReleaseLayout, config: RenderedConfig | null) {
  return config ? { revision: config.revision, pod: podConfig(layout.target.app, config) } : null;
}

/** The ConfigMap and Secret of `config`: written before any Deployment refers to them. */
export function configManifests(layout: ReleaseLayout, config: RenderedConfig | null): Manifest[] {
  return config ? configObjects(layout.target, config) : [];
}

export { trackManifests, weightManifest };
