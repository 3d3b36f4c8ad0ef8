import { LABELS, MANAGED_BY } from './labels.ts';
import type { Router } from './workload.ts';
import type { PodConfig } from './config-manifests.ts';

/** A Kubernetes object as Gantry writes it (server-side apply bodies). */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };

/** Which app, where: everything the manifests are named and labelled after. */
export interface WorkloadTarget {
  namespace: string;
  app: string;
  environment: string;
  /** Slug of the project owning the namespace: the namespace's `gantry.io/project` label. */
  project?: string | null;
}

/** Port the app's containers listen on and its Services expose. */
export const APP_PORT = 8080;
export const SERVICE_PORT = 80;

export function baseLabels(target: WorkloadTarget): Record<string, string> {
  return {
    [LABELS.name]: target.app,
    [LABELS.instance]: `${target.app}-${target.environment}`,
    [LABELS.managedBy]: MANAGED_BY,
  };
}

export function namespaceManifest(target: WorkloadTarget): Manifest {
  const labels: Record<string, string> = { [LABELS.managedBy]: MANAGED_BY };
  if (target.project) labels[LABELS.project] = target.project;
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: target.namespace, labels } };
}

/** Deployment names carry the version, so stable and canary run side by side. */
export function deploymentName(target: WorkloadTarget, version: string): string {
  return `${target.app}-${version}`;
}

/**
 * A Deployment running `version`: named after it for canaries, or an existing name for an
 * in-place ROLLING/RECREATE update. Pods carry the version label that DestinationRule subsets and
 * per-track Services select on; readiness gates traffic, as in any Deployment.
 */
export function deploymentManifest(
  target: WorkloadTarget,
  version: string,
  image: string,
  replicas: number,
  strategy: 'ROLLING' | 'RECREATE' = 'ROLLING',
  name = deploymentName(target, version),
  config: { revision: number; pod: PodConfig } | null = null,
  podAnnotations: Record<string, string | null> = {},
): Manifest {
  const labels: Record<string, string> = { ...baseLabels(target), [LABELS.version]: version, [LABELS.deployment]: name };
  // The revision label lets the pruning of config objects see which revisions a Deployment still needs.
  if (config) labels[LABELS.configRevision] = String(config.revision);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: target.namespace, labels },
    spec: {
      replicas,
      // Selecting on the Deployment's own label (not the version) lets ROLLING change the version in place.
      selector: { matchLabels: { [LABELS.name]: target.app, [LABELS.deployment]: name } },
      strategy:
        strategy === 'RECREATE'
          ? // null removes rolling-update parameters a previous ROLLING apply left on the object.
            { type: 'Recreate', rollingUpdate: null }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels, ...(Object.keys(podAnnotations).length > 0 && { annotations: podAnnotations }) },
        spec: {
          containers: [
            {
              name: 'app',
              image,
              ports: [{ name: 'http', containerPort: APP_PORT }],
              readinessProbe: { httpGet: { path: '/healthz', port: APP_PORT }, periodSeconds: 5 },
              ...(config && { env: config.pod.env, volumeMounts: config.pod.volumeMounts }),
            },
          ],
          ...(config && { volumes: config.pod.volumes }),
        },
      },
    },
  };
}

/** The app's Service (all versions; Istio splits by subset). */
export function serviceManifest(target: WorkloadTarget, name = target.app, selector: Record<string, string> = { [LABELS.name]: target.app }, track?: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: target.namespace, labels: { ...baseLabels(target), ...(track ? { [LABELS.track]: track } : {}) } },
    spec: { selector, ports: [{ name: 'http', port: SERVICE_PORT, targetPort: APP_PORT }] },
  };
}

/**
 * Where traffic goes: the pods of each track (by labels) and the canary's share. A null canary
 * means only the stable track exists (its subset or Service is not even listed).
 */
export interface TrafficSplit {
  stable: Record<string, string>;
  canary: Record<string, string> | null;
  canaryWeight: number;
}

/** Pods of one version of the app. */
export function versionSelector(target: WorkloadTarget, version: string): Record<string, string> {
  return { [LABELS.name]: target.app, [LABELS.version]: version };
}

/**
 * The objects that define the tracks: an Istio DestinationRule with `stable`/`canary` subsets,
 * or for Gateway API one Service per track. Written before any weight points at a track.
 */
export function trackManifests(target: WorkloadTarget, router: Router, split: TrafficSplit): Manifest[] {
  const meta = { name: target.app, namespace: target.namespace, labels: baseLabels(target) };
  if (router === 'ISTIO') {
    const subsets = [{ name: 'stable', labels: split.stable }];
    if (split.canary) subsets.push({ name: 'canary', labels: split.canary });
    return [{ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta, spec: { host: target.app, subsets } }];
  }
  const track = (name: string, selector: Record<string, string>) => serviceManifest(target, `${target.app}-${name}`, selector, name);
  return split.canary ? [track('stable', split.stable), track('canary', split.canary)] : [track('stable', split.stable)];
}

/** The object holding the weights: an Istio VirtualService or a Gateway API HTTPRoute. */
export function weightManifest(target: WorkloadTarget, router: Router, split: TrafficSplit): Manifest {
  const canaryWeight = split.canary ? split.canaryWeight : 0;
  const meta = { name: target.app, namespace: target.namespace, labels: baseLabels(target) };
  if (router === 'ISTIO') {
    const destination = (subset: string) => ({ host: target.app, subset, port: { number: SERVICE_PORT } });
    const route = [{ destination: destination('stable'), weight: 100 - canaryWeight }];
    if (split.canary) route.push({ destination: destination('canary'), weight: canaryWeight });
    return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta, spec: { hosts: [target.app], http: [{ route }] } };
  }
  const backendRefs = [{ name: `${target.app}-stable`, port: SERVICE_PORT, weight: 100 - canaryWeight }];
  if (split.canary) backendRefs.push({ name: `${target.app}-canary`, port: SERVICE_PORT, weight: canaryWeight });
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta,
    spec: { parentRefs: [{ name: 'gantry-gateway' }], hostnames: [`${target.app}.${target.namespace}.svc`], rules: [{ backendRefs }] },
  };
}

/** Tracks then weights: the order in which they must be written. */
export function routerManifests(target: WorkloadTarget, router: Router, split: TrafficSplit): Manifest[] {
  return [...trackManifests(target, router, split), weightManifest(target, router, split)];
}

/**
 * The labels the live canary track selects: the `canary` subset of a DestinationRule, or the
 * selector of the canary Service (Gateway API); null when the object or the track is missing.
 */
export function canarySelectorOf(router: Router, track: Record<string, any> | null): Record<string, string> | null {
  if (!track) return null;
  if (router === 'ISTIO') {
    const subsets: Record<string, any>[] = track.spec?.subsets ?? [];
    return subsets.find((s) => s.name === 'canary')?.labels ?? null;
  }
  return track.spec?.selector ?? null;
}

/** The object whose selector defines the canary track: the DestinationRule, or the canary Service. */
export function canaryTrackManifest(target: WorkloadTarget, router: Router, split: TrafficSplit): Manifest | undefined {
  const tracks = trackManifests(target, router, split);
  return router === 'ISTIO' ? tracks[0] : tracks.find((m) => m.metadata.labels?.[LABELS.track] === 'canary');
}

/**
 * The canary weight as written in a VirtualService or HTTPRoute read back from the cluster;
 * null when the object is missing or has no canary destination.
 */
export function canaryWeightOf(router: Router, object: Record<string, any> | null): number | null {
  if (!object) return null;
  if (router === 'ISTIO') {
    const route: Record<string, any>[] = object.spec?.http?.[0]?.route ?? [];
    if (route.length === 0) return null;
    const canary = route.find((r) => r.destination?.subset === 'canary');
    return canary ? Number(canary.weight ?? 0) : 0;
  }
  const refs: Record<string, any>[] = object.spec?.rules?.[0]?.backendRefs ?? [];
  if (refs.length === 0) return null;
  const total = refs.reduce((sum, r) => sum + Number(r.weight ?? 1), 0);
  const canary = refs.find((r) => String(r.name).endsWith('-canary'));
  return canary && total > 0 ? Math.round((Number(canary.weight ?? 1) * 100) / total) : 0;
}
