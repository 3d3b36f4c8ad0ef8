/**
 * Where an app's requests go in the embedded cluster: the one decision both the simulated
 * traffic (metrics) and the ingress gateway (real HTTP) follow. The router objects actually in
 * the cluster say it: the VirtualService's weights over the DestinationRule's subsets, the
 * HTTPRoute's backendRef weights over the track Services, or the app's Service alone; within a
 * destination, the Ready pods share its weight evenly.
 */
import type { KubeObject } from '../objects.ts';
import { fromLabelSelector } from '../selectors.ts';
import type { ObjectStore } from '../store.ts';
import { isPodActive, isPodReady } from '../controllers/pod-status.ts';

const MANAGED_BY = 'app.kubernetes.io/managed-by';
const NAME = 'app.kubernetes.io/name';
const TRACK = 'gantry.io/track';

/** One weighted destination of an app's traffic and the Ready pods that serve it. */
export interface RouteDestination {
  /** Percent of the app's requests (0..100). */
  weight: number;
  pods: KubeObject[];
}

/** Whether `service` is the Service of an app Gantry deployed (not a per-track Service). */
export function isAppService(service: KubeObject): boolean {
  const labels = service.metadata.labels ?? {};
  return labels[MANAGED_BY] === 'gantry' && !labels[TRACK] && service.metadata.name === labels[NAME];
}

/** Every app Service Gantry deployed, in every namespace. */
export function appServices(store: ObjectStore): KubeObject[] {
  return store.list('services').filter(isAppService);
}

/**
 * The destinations of the app behind `service` under the routing in the store now.
 * Weights sum to 100 (or to 0 when the router sends nothing anywhere).
 */
export function routeOf(store: ObjectStore, service: KubeObject): RouteDestination[] {
  const namespace = service.metadata.namespace ?? 'default';
  const readyPods = (labels: Record<string, string> | undefined): KubeObject[] =>
    labels ? store.list('pods', { namespace, labelSelector: fromLabelSelector({ matchLabels: labels }) }).filter((p) => isPodActive(p) && isPodReady(p)) : [];
  const name = service.metadata.name;
  const virtualService = store.get('virtualservices', namespace, name);
  if (virtualService) {
    const rule = store.get('destinationrules', namespace, name);
    const subsets: Record<string, any>[] = (rule?.['spec'] as any)?.subsets ?? [];
    const route: Record<string, any>[] = (virtualService['spec'] as any)?.http?.[0]?.route ?? [];
    return route.map((r) => {
      const subset = subsets.find((s) => s.name === r.destination?.subset);
      const labels = r.destination?.subset ? subset?.labels : (service['spec'] as any)?.selector;
      return { weight: route.length === 1 ? 100 : Number(r.weight ?? 0), pods: readyPods(labels) };
    });
  }
  const httpRoute = store.get('httproutes', namespace, name);
  if (httpRoute) {
    const refs: Record<string, any>[] = (httpRoute['spec'] as any)?.rules?.[0]?.backendRefs ?? [];
    const total = refs.reduce((sum, r) => sum + Number(r.weight ?? 1), 0);
    return refs.map((r) => {
      const track = store.get('services', namespace, String(r.name));
      return { weight: total > 0 ? (Number(r.weight ?? 1) * 100) / total : 0, pods: readyPods((track?.['spec'] as any)?.selector) };
    });
  }
  return [{ weight: 100, pods: readyPods((service['spec'] as any)?.selector) }];
}
