import { requireVisibleEnvironment, type EnvironmentRow } from '../apps/service.ts';
import type { AppRow } from '../apps/repository.ts';
import { AccessMonitor } from '../access/revalidation.ts';
import type { ClusterPort } from '../cluster/directory.ts';
import { podInfo, buildWorkload, type PodInfo, type Router, type WorkloadView } from '../cluster/workload.ts';
import type { PodView } from '../cluster/kinds.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';

export type { WorkloadView, PodInfo };

function portOf(scope: RequestScope, environment: EnvironmentRow): ClusterPort {
  const port = scope.clusters.port(environment.cluster);
  if (!port) throw new DomainError('INTERNAL_SERVER_ERROR', `Cluster "${environment.cluster}" is not connected`);
  return port;
}

/** The environment's live workload, from the cluster's watch cache (no API call). */
export function environmentWorkload(scope: RequestScope, environment: EnvironmentRow, app: Pick<AppRow, 'name'>): WorkloadView {
  const snapshot = portOf(scope, environment).snapshot(environment.namespace, app.name);
  return buildWorkload(snapshot, app.name, environment.router as Router);
}

/** Authorizes a subscription on the environment and sets up per-event re-authorization. */
async function openSubscription(scope: RequestScope, environmentGlobalId: string) {
  const id = idOf('Environment', environmentGlobalId, 'environmentId');
  const { environment, app } = await requireVisibleEnvironment(scope, id);
  const port = portOf(scope, environment);
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'project.read');
  return { environment, app, port, access };
}

/**
 * `workloadChanged`: the current workload at once, then the whole workload again after every
 * change to the app's objects. Changes arriving in the same tick are coalesced into one
 * message. Access is re-checked before each message; a subscriber who lost access gets
 * NOT_FOUND and the stream ends.
 */
export async function subscribeWorkload(scope: RequestScope, environmentGlobalId: string): Promise<AsyncIterableIterator<WorkloadView>> {
  const { environment, app, port, access } = await openSubscription(scope, environmentGlobalId);
  const channel = new Channel<WorkloadView>();
  const router = environment.router as Router;
  let scheduled = false;
  let sending = Promise.resolve();
  const publish = () => {
    scheduled = false;
    sending = sending.then(async () => {
      if (!(await access.allowed())) return channel.fail(notFound('Environment'));
      channel.push(buildWorkload(port.snapshot(environment.namespace, app.name), app.name, router));
    });
  };
  const unsubscribe = port.watchApp(environment.namespace, app.name, () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(publish);
  });
  channel.onClose(() => {
    unsubscribe();
    access.close();
  });
  publish();
  return channel;
}

export interface PodEventView {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  pod: PodInfo;
}

/** `podEvents`: every change to one of the environment's pods, as the watch saw it. */
export async function subscribePodEvents(scope: RequestScope, environmentGlobalId: string): Promise<AsyncIterableIterator<PodEventView>> {
  const { environment, app, port, access } = await openSubscription(scope, environmentGlobalId);
  const channel = new Channel<PodEventView>();
  let sending = Promise.resolve();
  const unsubscribe = port.watchApp(environment.namespace, app.name, (change) => {
    if (change.kind !== 'pods') return;
    const event: PodEventView = { type: change.type, pod: podInfo(change.object as PodView) };
    sending = sending.then(async () => {
      if (!(await access.allowed())) return channel.fail(notFound('Environment'));
      channel.push(event);
    });
  });
  channel.onClose(() => {
    unsubscribe();
    access.close();
  });
  return channel;
}
