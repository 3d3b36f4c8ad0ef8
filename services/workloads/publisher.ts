import type { WatchEventType } from '../../resolvers/types.generated.ts';
import type { AppChange } from '../cluster/app-index.ts';
import type { ClusterPort } from '../cluster/directory.ts';
import type { PodView } from '../cluster/kinds.ts';
import { buildWorkload, podInfo, type PodInfo, type Router, type WorkloadView } from '../cluster/workload.ts';

export interface PodEventView {
  type: WatchEventType;
  pod: PodInfo;
}

type Listener = (view: WorkloadView) => void;

interface Publisher {
  listeners: Set<Listener>;
  /** The view built after the last change; null while a change is waiting to be built. */
  latest: WorkloadView | null;
  scheduled: boolean;
  unwatch: () => void;
}

/**
 * One workload builder per watched app, shared by every `workloadChanged` subscriber of it.
 * Each change (coalesced per tick) builds the view once and hands the same object to every
 * subscriber, so ten subscribers cost one snapshot and, with the subscription executor's
 * cohorts, one GraphQL execution per token instead of ten of each.
 */
const publishers = new WeakMap<ClusterPort, Map<string, Publisher>>();

let builds = 0;
/** Workload views built since the process started (gantry_workload_builds_total): one per change, not per subscriber. */
export const workloadBuildCount = (): number => builds;

/**
 * Calls `listener` with the app's workload after every change to its objects.
 * @returns the current view (for the subscriber's first message) and the function that stops listening.
 */
export function listenWorkload(port: ClusterPort, namespace: string, app: string, router: Router, listener: Listener): { current: WorkloadView; stop: () => void } {
  let byApp = publishers.get(port);
  if (!byApp) publishers.set(port, (byApp = new Map()));
  const key = `${namespace}\u0000${app}\u0000${router}`;
  let publisher = byApp.get(key);
  const build = () => (builds++, buildWorkload(port.snapshot(namespace, app), app, router));
  if (!publisher) {
    const created: Publisher = { listeners: new Set(), latest: null, scheduled: false, unwatch: () => {} };
    const publish = () => {
      created.scheduled = false;
      if (created.listeners.size === 0) return;
      const view = (created.latest = build());
      for (const each of created.listeners) each(view);
    };
    created.unwatch = port.watchApp(namespace, app, () => {
      if (created.scheduled) return;
      created.scheduled = true;
      created.latest = null;
      setImmediate(publish);
    });
    byApp.set(key, (publisher = created));
  }
  const current = publisher.latest ?? (publisher.scheduled ? build() : (publisher.latest = build()));
  publisher.listeners.add(listener);
  const mine = publisher;
  return {
    current,
    stop: () => {
      mine.listeners.delete(listener);
      if (mine.listeners.size > 0 || byApp.get(key) !== mine) return;
      mine.unwatch();
      byApp.delete(key);
    },
  };
}

/** Pod events by the change they come from: every subscriber of the app gets the same object. */
const podEvents = new WeakMap<AppChange, PodEventView>();

/** The `podEvents` message for a cache change to a pod (built once per change). */
export function podEventOf(change: AppChange): PodEventView {
  let event = podEvents.get(change);
  if (!event) podEvents.set(change, (event = { type: change.type, pod: podInfo(change.object as PodView) }));
  return event;
}
