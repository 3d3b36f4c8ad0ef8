import type { ResourceApi } from '../../embedded-cluster/index.ts';
import { LABELS } from '../../services/cluster/labels.ts';
import { deploymentManifest, namespaceManifest, routerManifests, serviceManifest, versionSelector, type WorkloadTarget } from '../../services/cluster/manifests.ts';
import type { BenchGantry } from '../support/gantry.ts';
import { waitFor } from '../support/stats.ts';

/** The name of the bench app (its pods carry it as `app.kubernetes.io/name`). */
export const APP = 'web';

/** One environment of the bench app: its global id, namespace and pod names (sorted). */
export interface FleetEnvironment {
  id: string;
  namespace: string;
  pods: string[];
}

/**
 * Creates one project and app with `environments` environments over GraphQL, then what a release
 * writes to the cluster (namespace, Deployment with `replicas` pods, Service, Istio router), and
 * waits until every pod is Ready in Gantry's pods watch cache.
 * @throws Error when the pods are not all Ready within `timeoutMs`.
 */
export async function deployFleet(g: BenchGantry, environments: number, replicas: number, timeoutMs = 60_000): Promise<FleetEnvironment[]> {
  const { createProject } = await g.gql<{ createProject: { id: string; slug: string } }>(
    'mutation($i: CreateProjectInput!) { createProject(input: $i) { id slug } }',
    { i: { slug: 'bench', name: 'Bench' } },
  );
  const { createApp } = await g.gql<{ createApp: { id: string } }>('mutation($i: CreateAppInput!) { createApp(input: $i) { id } }', {
    i: { projectId: createProject.id, name: APP, language: 'GO' },
  });
  const port = g.server.clusters.port('embedded');
  if (!port) throw new Error('no port for the embedded cluster');
  const fleet: FleetEnvironment[] = [];
  for (let e = 0; e < environments; e++) {
    const { createEnvironment: env } = await g.gql<{ createEnvironment: { id: string; namespace: string } }>(
      'mutation($i: CreateEnvironmentInput!) { createEnvironment(input: $i) { id namespace } }',
      { i: { appId: createApp.id, name: `e${e}`, replicas } },
    );
    const target: WorkloadTarget = { namespace: env.namespace, app: APP, environment: `e${e}` };
    await port.apply(namespaceManifest(target));
    await port.apply(deploymentManifest(target, 'v1', 'registry.local/web:1.0', replicas));
    await port.apply(serviceManifest(target));
    for (const m of routerManifests(target, 'ISTIO', { stable: versionSelector(target, 'v1'), canary: null, canaryWeight: 0 })) await port.apply(m);
    fleet.push({ id: env.id, namespace: env.namespace, pods: [] });
  }
  const pods = g.server.registry!.connection('embedded')!.caches.pods;
  const total = environments * replicas;
  const ready = await waitFor(() => pods.list().filter((p) => p.ready).length === total, timeoutMs, 100);
  if (!ready) throw new Error(`only ${pods.list().filter((p) => p.ready).length} of ${total} pods Ready after ${timeoutMs} ms`);
  for (const env of fleet) env.pods = pods.list(env.namespace).map((p) => p.name).sort();
  return fleet;
}

/** The version label value that carries write number `seq`; subscribers read it back as `Pod.version`. */
export const stampedVersion = (seq: number) => `v1-s${seq}`;

/** The write number in a `Pod.version` (null for an unstamped pod). */
export function seqOfVersion(version: string | null | undefined): number | null {
  const match = version ? /-s(\d+)$/.exec(version) : null;
  return match ? Number(match[1]) : null;
}

/**
 * Writes stamp `seq` on a pod: a merge patch of its version label through the embedded API
 * server's verbs in process (admission, validation, store commit and watch fan-out, as for an
 * HTTP PATCH, minus the HTTP request). Owners select pods by other labels, so no controller reacts.
 */
export function stampPod(api: ResourceApi, namespace: string, pod: string, seq: number): void {
  api.patch('pods', namespace, pod, 'merge', { metadata: { labels: { [LABELS.version]: stampedVersion(seq) } } });
}
