import { KubernetesObjectApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff } from './backoff.ts';
import type { CachedMeta, KindSpec } from './kinds.ts';
import type { ClusterMetrics } from './metrics.ts';
import { WarningLimiter } from './warning-limiter.ts';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface CacheEvent<T> {
  type: CacheEventType;
  object: T;
}
export type CacheState = 'STARTING' | 'SYNCED' | 'RETRYING' | 'STOPPED';

export interface WatchCacheOptions<T extends CachedMeta> {
  cluster: string;
  kubeConfig: KubeConfig;
  spec: KindSpec<T>;
  labelSelector: string;
  metrics: ClusterMetrics;
  logger: Logger;
  /** A watch silent (not even a BOOKMARK) for longer than this is presumed dead: relist. */
  staleAfterMs?: number;
  /** Page size of LIST calls. */
  pageSize?: number;
  backoff?: Backoff;
  /** Rate limit of repeated warnings (default: one line per minute). */
  warnings?: WarningLimiter;
}

/** A watch stream ended by the server with 410, in-stream or as HTTP status: relist needed. */
class GoneError extends Error {}

const keyOf = (o: CachedMeta) => `${o.namespace}/${o.name}`;

/**
 * A supervised list+watch cache of one kind on one cluster, through `@kubernetes/client-node`'s
 * `KubernetesObjectApi.list` and `Watch`. Unlike the client's own informer it never gives up:
 * - a watch that ends cleanly resumes from the last resourceVersion at once (no LIST);
 * - a watch that fails resumes from the last resourceVersion after jittered backoff (no LIST);
 * - 410 Gone (in-stream or HTTP) clears the resourceVersion, so the next round relists;
 * - a LIST that fails (500, 429, connection refused) retries with backoff;
 * - a watchdog relists when nothing (not even a BOOKMARK) arrived for `staleAfterMs`.
 * A relist diffs against the cache, so subscribers see DELETED for what vanished meanwhile.
 */
export class WatchCache<T extends CachedMeta> {
  private readonly objects = new Map<string, T>();
  /** The same objects by namespace: a workload snapshot reads one namespace, not the whole cluster. */
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly listeners = new Set<(event: CacheEvent<T>) => void>();
  private readonly objectApi: KubernetesObjectApi;
  private readonly watcher: Watch;
  private readonly backoff: Backoff;
  private readonly warnings: WarningLimiter;
  /** Failures in a row since the last successful LIST or watch, for the recovery line. */
  private failures = 0;
  private resourceVersion = '';
  private running = false;
  private abortWatch: (() => void) | null = null;
  private wake: (() => void) | null = null;
  private syncWaiters: (() => void)[] = [];
  private loop: Promise<void> | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  /** Wall-clock ms of the last event, bookmark or successful LIST. */
  lastActivityAt = 0;
  lastSyncAt: Date | null = null;
  state: CacheState = 'STOPPED';
  lastError: string | null = null;

  constructor(private readonly options: WatchCacheOptions<T>) {
    this.objectApi = KubernetesObjectApi.makeApiClient(options.kubeConfig);
    this.watcher = new Watch(options.kubeConfig);
    this.backoff = options.backoff ?? new Backoff();
    this.warnings = options.warnings ?? new WarningLimiter();
  }

  get kind(): string {
    return this.options.spec.key;
  }

  /** Starts the list+watch loop; resolves at once (see {@link waitForSync}). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.state = 'STARTING';
    const staleAfter = this.options.staleAfterMs ?? 90_000;
    this.watchdog = setInterval(() => {
      if (this.state === 'SYNCED' && Date.now() - this.lastActivityAt > staleAfter) {
        this.options.metrics.watchdogRelists.inc(this.labels());
        const admitted = this.warnings.admit('silent');
        if (admitted) this.options.logger.warn({ cluster: this.options.cluster, kind: this.kind, suppressed: admitted.suppressed }, 'watch silent too long: relisting');
        this.resourceVersion = '';
        this.abortWatch?.();
      }
    }, Math.max(50, Math.min(staleAfter / 3, 5_000)));
    this.watchdog.unref();
    this.loop = this.run();
  }

  /** Stops watching; the cache keeps its last contents. */
  async stop(): Promise<void> {
    this.running = false;
    this.state = 'STOPPED';
    if (this.watchdog) clearInterval(this.watchdog);
    this.abortWatch?.();
    this.wake?.();
    await this.loop;
  }

  /** Resolves once the cache holds a complete LIST (or after `timeoutMs`, with false). */
  waitForSync(timeoutMs = 30_000): Promise<boolean> {
    if (this.lastSyncAt) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Cached objects, optionally in one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.objects.values()];
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Registers a listener for every change; returns the function that unregisters it. */
  subscribe(listener: (event: CacheEvent<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private labels() {
    return { cluster: this.options.cluster, kind: this.kind };
  }

  private emit(event: CacheEvent<T>): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.logger.error({ err: error, kind: this.kind }, 'cache listener failed');
      }
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!this.resourceVersion) await this.relist();
        const healthy = await this.watchOnce();
        if (healthy) this.backoff.reset();
      } catch (error) {
        if (!this.running) break;
        // A watch that worked before it broke (it delivered something, or the server kept it
        // open a while: a quiet kind may see nothing between two drops) starts the backoff
        // series afresh and reconnects after a short jitter: only failures in a row should
        // wait longer and longer.
        const worked = this.delivered || (this.openedAt > 0 && Date.now() - this.openedAt >= WORKED_AFTER_MS);
        if (worked) this.backoff.reset();
        if (error instanceof GoneError) {
          this.resourceVersion = '';
          continue;
        }
        this.state = 'RETRYING';
        this.lastError = error instanceof Error ? error.message : String(error);
        const delay = worked ? Math.round(RECONNECT_JITTER_MS * Math.random()) : this.backoff.next();
        this.options.metrics.errors.inc({ ...this.labels(), reason: reasonOf(error) });
        this.failures += 1;
        // A cluster that stays down retries forever: one line per minute per watch, not per retry.
        const admitted = this.warnings.admit('failed');
        if (admitted) {
          this.options.logger.warn(
            { cluster: this.options.cluster, kind: this.kind, err: this.lastError, retryInMs: delay, suppressed: admitted.suppressed },
            'cluster watch failed; retrying',
          );
        }
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** LIST in pages, then replace the cache, emitting the differences. */
  private async relist(): Promise<void> {
    const { spec, labelSelector, pageSize = 500 } = this.options;
    this.options.metrics.relists.inc(this.labels());
    const fresh = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.objectApi.list(spec.apiVersion, spec.kind, undefined, undefined, undefined, undefined, undefined, labelSelector, pageSize, continueToken);
      for (const item of page.items) {
        const view = spec.project(item as Record<string, unknown>);
        fresh.set(keyOf(view), view);
      }
      continueToken = page.metadata?._continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? '';
    } while (continueToken);
    for (const [key, old] of this.objects) {
      if (!fresh.has(key)) {
        this.remove(key, old);
        this.emit({ type: 'DELETED', object: old });
      }
    }
    for (const [key, view] of fresh) {
      const old = this.objects.get(key);
      if (old?.resourceVersion === view.resourceVersion) continue;
      this.put(key, view);
      this.emit({ type: old ? 'MODIFIED' : 'ADDED', object: view });
    }
    this.resourceVersion = resourceVersion;
    this.markSynced();
  }

  /** After failures, one line saying the watch works again (and how many warnings were held back). */
  private noteRecovered(): void {
    if (this.failures === 0) return;
    this.options.logger.info({ cluster: this.options.cluster, kind: this.kind, failures: this.failures, suppressed: this.warnings.flush('failed') }, 'cluster watch recovered');
    this.failures = 0;
  }

  private markSynced(): void {
    this.noteRecovered();
    this.lastActivityAt = Date.now();
    this.lastSyncAt = new Date();
    this.state = 'SYNCED';
    this.lastError = null;
    for (const waiter of this.syncWaiters.splice(0)) waiter();
  }

  /**
   * One watch request from the current resourceVersion. Resolves when the stream ends cleanly
   * (true if it delivered anything), rejects on failure; GoneError on 410.
   */
  /** The current watch delivered an event or bookmark. */
  private delivered = false;
  /** When the server accepted the current watch (0 until it has). */
  private openedAt = 0;

  private async watchOnce(): Promise<boolean> {
    const { spec, labelSelector } = this.options;
    let delivered = false;
    this.delivered = false;
    this.openedAt = 0;
    let gone = false;
    this.options.metrics.connects.inc(this.labels());
    return new Promise<boolean>((resolve, reject) => {
      const done = (error: unknown) => {
        this.abortWatch = null;
        if (gone || (error as { statusCode?: number } | null)?.statusCode === 410) reject(new GoneError('410 Gone'));
        else if (error && this.running && !(error instanceof Error && error.name === 'AbortError')) reject(error);
        else resolve(delivered);
      };
      const params = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector,
        // Servers end watches after a while anyway; asking for it spreads reconnects out.
        timeoutSeconds: 240 + Math.floor(Math.random() * 120),
      };
      this.watcher
        .watch(
          spec.path,
          params,
          (type: string, object: Record<string, any>) => {
            this.lastActivityAt = Date.now();
            this.delivered = true;
            if (type === 'ERROR') {
              if (object?.code === 410) gone = true;
              return;
            }
            const rv = object?.metadata?.resourceVersion;
            if (rv) this.resourceVersion = String(rv);
            if (type === 'BOOKMARK') return;
            delivered = true;
            this.apply(type as CacheEventType, spec.project(object));
          },
          done,
        )
        .then((controller) => {
          if (!this.running) controller.abort();
          else this.abortWatch = () => controller.abort();
          this.openedAt = Date.now();
          this.state = this.lastSyncAt ? 'SYNCED' : this.state;
          this.noteRecovered();
        }, reject);
    });
  }

  private apply(type: CacheEventType, view: T): void {
    const key = keyOf(view);
    if (type === 'DELETED') {
      this.remove(key, view);
      this.emit({ type, object: view });
      return;
    }
    const existed = this.objects.has(key);
    this.put(key, view);
    this.emit({ type: existed ? 'MODIFIED' : 'ADDED', object: view });
  }

  private put(key: string, view: T): void {
    this.objects.set(key, view);
    let inNamespace = this.byNamespace.get(view.namespace);
    if (!inNamespace) this.byNamespace.set(view.namespace, (inNamespace = new Map()));
    inNamespace.set(key, view);
  }

  private remove(key: string, view: T): void {
    this.objects.delete(key);
    const inNamespace = this.byNamespace.get(view.namespace);
    if (!inNamespace) return;
    inNamespace.delete(key);
    if (inNamespace.size === 0) this.byNamespace.delete(view.namespace);
  }
}

/** A watch the server kept open this long counts as having worked, even if nothing happened. */
const WORKED_AFTER_MS = 1_000;
/** Reconnect delay after a working watch broke: a jitter, so a thousand watches do not reconnect at once. */
const RECONNECT_JITTER_MS = 250;

function reasonOf(error: unknown): string {
  const e = error as { statusCode?: number; code?: number | string };
  if (typeof e?.statusCode === 'number') return String(e.statusCode);
  if (typeof e?.code === 'number') return String(e.code);
  if (typeof e?.code === 'string') return e.code;
  return 'error';
}
