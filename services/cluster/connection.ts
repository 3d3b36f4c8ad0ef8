import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterInfo, ClusterStatus } from './directory.ts';
import { WATCHED_KINDS, type ViewOf, type WatchedKind } from './kinds.ts';
import { MANAGED_SELECTOR } from './labels.ts';
import type { ClusterMetrics } from './metrics.ts';
import { WatchCache } from './watch-cache.ts';

export type WatchCaches = { [K in WatchedKind]: WatchCache<ViewOf<K>> };

/** How long without any contact before a cluster counts as UNREACHABLE. */
const UNREACHABLE_AFTER_MS = 60_000;

export interface ClusterConnectionOptions {
  name: string;
  kubeConfig: KubeConfig;
  metrics: ClusterMetrics;
  logger: Logger;
  staleAfterMs?: number;
}

/**
 * One cluster: its client configuration and one shared watch cache per watched kind. Every
 * subscriber reads from these caches; nothing lists the cluster per request.
 */
export class ClusterConnection {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  readonly caches: WatchCaches;
  private version: string | null = null;
  private versionTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ClusterConnectionOptions) {
    this.name = options.name;
    this.kubeConfig = options.kubeConfig;
    const make = <K extends WatchedKind>(kind: K) =>
      new WatchCache<ViewOf<K>>({
        cluster: options.name,
        kubeConfig: options.kubeConfig,
        spec: WATCHED_KINDS[kind] as never,
        labelSelector: MANAGED_SELECTOR,
        metrics: options.metrics,
        logger: options.logger,
        ...(options.staleAfterMs ? { staleAfterMs: options.staleAfterMs } : {}),
      });
    this.caches = {
      pods: make('pods'),
      deployments: make('deployments'),
      services: make('services'),
      virtualservices: make('virtualservices'),
      destinationrules: make('destinationrules'),
      httproutes: make('httproutes'),
    };
  }

  /**
   * Starts every watch in the background and returns at once: a cluster that is slow or down
   * must hold up neither the start of Gantry nor a registration. Health shows in `status()`.
   */
  start(): void {
    for (const cache of Object.values(this.caches)) cache.start();
    void this.refreshVersion();
    this.versionTimer = setInterval(() => void this.refreshVersion(), 60_000);
    this.versionTimer.unref();
  }

  /** Resolves true once every cache holds a complete LIST, false after `timeoutMs`. */
  async waitForSync(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all(Object.values(this.caches).map((c) => c.waitForSync(timeoutMs)));
    return results.every(Boolean);
  }

  /**
   * True once every cache has completed a LIST. Before that an empty cache means "not known
   * yet", not "absent": readers that act on absence must wait for this.
   */
  get synced(): boolean {
    return Object.values(this.caches).every((c) => c.lastSyncAt !== null);
  }

  async stop(): Promise<void> {
    if (this.versionTimer) clearInterval(this.versionTimer);
    await Promise.all(Object.values(this.caches).map((c) => c.stop()));
  }

  private async refreshVersion(): Promise<void> {
    try {
      const info = await this.kubeConfig.makeApiClient(VersionApi).getCode();
      this.version = info.gitVersion;
    } catch (error) {
      this.options.logger.debug({ cluster: this.name, err: (error as Error).message }, 'version check failed');
    }
  }

  /** Health from the watches: all synced and live → CONNECTED; some → DEGRADED; no contact → UNREACHABLE. */
  status(now = Date.now()): ClusterStatus {
    const caches = Object.values(this.caches);
    const lastContact = Math.max(...caches.map((c) => c.lastActivityAt));
    if (!caches.some((c) => c.lastSyncAt) || now - lastContact > UNREACHABLE_AFTER_MS) return 'UNREACHABLE';
    return caches.every((c) => c.state === 'SYNCED') ? 'CONNECTED' : 'DEGRADED';
  }

  info(): ClusterInfo {
    const syncs = Object.values(this.caches)
      .map((c) => c.lastSyncAt?.getTime() ?? 0)
      .filter((t) => t > 0);
    const lastActivity = Math.max(0, ...Object.values(this.caches).map((c) => c.lastActivityAt));
    return {
      name: this.name,
      status: this.status(),
      version: this.version,
      lastSyncAt: syncs.length ? new Date(Math.max(lastActivity, ...syncs)) : null,
    };
  }

  /** Updates the per-cache gauges; called when /metrics is scraped. */
  collectMetrics(metrics: ClusterMetrics): void {
    for (const cache of Object.values(this.caches)) {
      const labels = { cluster: this.name, kind: cache.kind };
      metrics.cachedObjects.set(labels, cache.size);
      if (cache.lastActivityAt) metrics.lastEventAge.set(labels, (Date.now() - cache.lastActivityAt) / 1000);
    }
  }
}
