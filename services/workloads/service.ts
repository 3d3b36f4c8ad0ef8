import { requireVisibleEnvironment, type EnvironmentRow } from '../apps/service.ts';
import type { AppRow } from '../apps/repository.ts';
import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import type { ClusterPort } from '../cluster/directory.ts';
import { buildWorkload, stableReplicasOf, type PodInfo, type Router, type WorkloadView } from '../cluster/workload.ts';
import { listenWorkload, podEventOf, type PodEventView } from './publisher.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { DomainError } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';

export type { WorkloadView, PodInfo, PodEventView };

function portOf(scope: RequestScope, environment: EnvironmentRow): ClusterPort {
  const port = scope.clusters.port(environment.cluster);
  if (!port) throw new DomainError('INTERNAL_SERVER_ERROR', `Cluster "${environment.cluster}" is not connected`);
  return port;
}

/** The environment's live workload, from the cluster's watch cache (no API call). */
export function environmentWorkload(scope: RequestScope, environment: EnvironmentRow, app: Pick<AppRow, 'name'>): WorkloadView {
  const snapshot = portOf(scope, environment).snapshot(environment.namespace, app.name);
  return { ...buildWorkload(snapshot, app.name, environment.router as Router), environmentId: environment.id };
}

/**
 * The environment's declared replicas against its stable Deployment's: read fresh (each
 * subscription message runs with new loaders), so an `updateEnvironment` shows at once.
 */
export async function workloadReplicas(scope: RequestScope, view: WorkloadView): Promise<{ declaredReplicas: number; stableReplicas: number | null; drift: boolean }> {
  const environment = view.environmentId ? await scope.loaders.environmentById.load(view.environmentId) : null;
  if (!environment) return { declaredReplicas: 0, stableReplicas: null, drift: false };
  return { declaredReplicas: environment.replicas, ...stableReplicasOf(view, environment.stableDeployment, environment.replicas) };
}

/** Authorizes a subscription on the environment and sets up per-event re-authorization. */
async function openSubscription(scope: RequestScope, environmentGlobalId: string) {
  const id = idOf('Environment', environmentGlobalId, 'environmentId');
  const { environment, app } = await requireVisibleEnvironment(scope, id);
  const port = portOf(scope, environment);
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'project.read');
  return { environment, app, port, access };
}

/** Each shared view stamped with an environment's id, made once per (view, environment). */
const stamped = new WeakMap<WorkloadView, Map<string, WorkloadView>>();

/**
 * The view naming `environmentId`: the same object for every subscriber of the environment, so
 * the subscription executor can run their GraphQL once per cohort (it shares results by event
 * object). A copy per subscriber made every one of them execute the whole workload again.
 */
function viewOf(view: WorkloadView, environmentId: string): WorkloadView {
  let byEnvironment = stamped.get(view);
  if (!byEnvironment) stamped.set(view, (byEnvironment = new Map()));
  let named = byEnvironment.get(environmentId);
  if (!named) byEnvironment.set(environmentId, (named = { ...view, environmentId }));
  return named;
}

/**
 * `workloadChanged`: the current workload at once, then the whole workload again after every
 * change to the app's objects. Changes arriving in the same tick are coalesced into one
 * message, built once for every subscriber of the app (publisher.ts); a subscriber still behind
 * on one message when the next is built gets only the newer. Access is re-checked
 * before each message; a subscriber who lost access gets NOT_FOUND and the stream ends.
 */
export async function subscribeWorkload(scope: RequestScope, environmentGlobalId: string): Promise<AsyncIterableIterator<WorkloadView>> {
  const { environment, app, port, access } = await openSubscription(scope, environmentGlobalId);
  // The closures below keep only the id: naming `environment` in one of them kept its whole row
  // (about 1 KB with its strings and Date) for as long as the subscription lives.
  const environmentId = environment.id;
  const channel = new Channel<WorkloadView>();
  // Each view is the whole workload: one a slow subscriber has not taken yet is superseded by the
  // next (a scale is three changes in 100 ms; 5,000 subscribers sent all three, the first late).
  const deliver = deliverWhileAllowed<WorkloadView>(access, 'Environment', (view) => channel.pushLatest(viewOf(view, environmentId)), (error) => channel.fail(error));
  const { current, stop } = listenWorkload(port, environment.namespace, app.name, environment.router as Router, deliver);
  channel.onClose(() => {
    stop();
    access.close();
  });
  deliver(current);
  return channel;
}

/** `podEvents`: every change to one of the environment's pods, as the watch saw it. */
export async function subscribePodEvents(scope: RequestScope, environmentGlobalId: string): Promise<AsyncIterableIterator<PodEventView>> {
  const { environment, app, port, access } = await openSubscription(scope, environmentGlobalId);
  const channel = new Channel<PodEventView>();
  const deliver = deliverWhileAllowed<PodEventView>(access, 'Environment', (event) => channel.push(event), (error) => channel.fail(error));
  const unsubscribe = port.watchApp(environment.namespace, app.name, (change) => {
    if (change.kind === 'pods') deliver(podEventOf(change));
  });
  channel.onClose(() => {
    unsubscribe();
    access.close();
  });
  return channel;
}
