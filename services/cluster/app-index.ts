import type { CachedMeta, DeploymentView, DestinationRuleView, HttpRouteView, PodView, ServiceView, VirtualServiceView } from './kinds.ts';
import type { CacheEvent, WatchCache } from './watch-cache.ts';
import type { WatchCaches } from './connection.ts';
import { LABELS } from './labels.ts';

/** Everything cached about one app in one namespace: what a Workload is computed from. */
export interface AppSnapshot {
  deployments: DeploymentView[];
  pods: PodView[];
  services: ServiceView[];
  virtualServices: VirtualServiceView[];
  destinationRules: DestinationRuleView[];
  httpRoutes: HttpRouteView[];
}

/** A change to one of an app's cached objects. */
export interface AppChange {
  kind: keyof WatchCaches;
  type: CacheEvent<CachedMeta>['type'];
  object: CachedMeta;
}

type Listener = (change: AppChange) => void;

/** Key of an app in a namespace: objects without the app name label belong to no app. */
export const appKey = (namespace: string, app: string) => `${namespace}\u0000${app}`;

/**
 * Routes cache events to the listeners of the app they belong to (by namespace and the
 * `app.kubernetes.io/name` label), so a pod change costs only its own app's subscribers.
 */
export class AppIndex {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly unsubscribes: (() => void)[] = [];

  constructor(private readonly caches: WatchCaches) {
    for (const [kind, cache] of Object.entries(caches) as unknown as [keyof WatchCaches, WatchCache<CachedMeta>][]) {
      this.unsubscribes.push(
        cache.subscribe((event) => {
          const app = event.object.labels[LABELS.name];
          if (!app) return;
          const set = this.listeners.get(appKey(event.object.namespace, app));
          if (!set) return;
          const change: AppChange = { kind, type: event.type, object: event.object };
          for (const listener of set) listener(change);
        }),
      );
    }
  }

  /** Calls `listener` for every change to the app's objects; returns the unsubscribe function. */
  watch(namespace: string, app: string, listener: Listener): () => void {
    const key = appKey(namespace, app);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** The app's cached objects now. */
  snapshot(namespace: string, app: string): AppSnapshot {
    const mine = <T extends CachedMeta>(cache: WatchCache<T>) =>
      cache
        .list(namespace)
        .filter((o) => o.labels[LABELS.name] === app)
        .sort((a, b) => a.name.localeCompare(b.name));
    return {
      deployments: mine(this.caches.deployments),
      pods: mine(this.caches.pods),
      services: mine(this.caches.services),
      virtualServices: mine(this.caches.virtualservices),
      destinationRules: mine(this.caches.destinationrules),
      httpRoutes: mine(this.caches.httproutes),
    };
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.listeners.clear();
  }
}
