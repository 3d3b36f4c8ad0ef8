/**
 * Watch streams: one HTTP response per watcher, fed from the store's change feed. Each
 * change is serialized once per encoding and the same string is written to every matching
 * watcher, so fan-out cost is a selector check and a socket write.
 */
import type { ServerResponse } from 'node:http';
import type { SimulationClock } from './clock.ts';
import { badRequest, expired, type ApiError } from './errors.ts';
import type { ChangeEvent } from './history.ts';
import type { KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';
import type { FieldSelector, Selector } from './selectors.ts';
import type { ObjectStore } from './store.ts';

/** Wire event types, including the two the watch layer adds itself. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Turns an event into the object sent on the wire (plain JSON, or a Table row). */
export interface WatchEncoding {
  /** Identifies the encoding, so every watcher sharing it shares the serialized line. */
  readonly id: string;
  encode(object: KubeObject): unknown;
}

/** The plain JSON encoding used by client-go, client-node and `kubectl get -o yaml -w`. */
export const JSON_ENCODING: WatchEncoding = { id: 'json', encode: (object) => object };

/** A parsed watch request. */
export interface WatchRequest {
  resource: ResourceType;
  namespace: string | undefined;
  labelSelector: Selector;
  fieldSelector: FieldSelector;
  /** The `resourceVersion` query parameter as given (empty when absent). */
  resourceVersion: string;
  sendInitialEvents: boolean | undefined;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
  encoding: WatchEncoding;
}

/** Options of {@link WatchHub}. */
export interface WatchHubOptions {
  /** Simulated milliseconds between BOOKMARK events for watchers that allow them. */
  bookmarkIntervalMs: number;
  /** A watcher whose unsent output exceeds this is disconnected, as the real server does with slow consumers. */
  maxBufferedBytes?: number;
}

interface BookmarkObject {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
}

interface Watcher {
  request: WatchRequest;
  response: ServerResponse;
  timeout: NodeJS.Timeout | undefined;
}

const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Tracks open watches and fans out changes to them. */
export class WatchHub {
  private readonly watchersByType = new Map<string, Set<Watcher>>();
  private readonly lineCache = new WeakMap<ChangeEvent, Map<string, string>>();
  private readonly unsubscribe: () => void;
  private readonly bookmarkTimer;

  constructor(
    private readonly store: ObjectStore,
    clock: SimulationClock,
    private readonly options: WatchHubOptions,
  ) {
    this.unsubscribe = store.subscribe((event) => this.dispatch(event));
    this.bookmarkTimer = setInterval(() => this.sendBookmarks(), Math.max(10, clock.toRealMs(options.bookmarkIntervalMs)));
    this.bookmarkTimer.unref();
  }

  /** How many watches are open. */
  get openWatchCount(): number {
    let count = 0;
    for (const watchers of this.watchersByType.values()) count += watchers.size;
    return count;
  }

  /**
   * Starts streaming a watch on `response`: replays what the client missed, then live changes.
   * @throws ApiError 400 for an unparsable resourceVersion (before anything is written).
   */
  open(request: WatchRequest, response: ServerResponse): void {
    const sinceVersion = parseResourceVersion(request.resourceVersion);
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    response.flushHeaders();
    const watcher: Watcher = { request, response, timeout: undefined };

    if (sinceVersion === undefined || request.sendInitialEvents === true) {
      for (const object of this.store.list(request.resource, request)) this.write(watcher, 'ADDED', object);
      if (request.sendInitialEvents === true && request.allowBookmarks) {
        this.write(watcher, 'BOOKMARK', this.bookmarkObject(request.resource, { 'k8s.io/initial-events-end': 'true' }));
      }
    } else {
      const missed = this.store.changesSince(sinceVersion);
      if (!missed) {
        const compacted = this.store.compactedResourceVersion;
        this.fail(watcher, expired(`too old resource version: ${sinceVersion} (${compacted + 1})`));
        return;
      }
      for (const event of missed) if (event.resource === request.resource) this.deliver(watcher, event);
    }

    let watchers = this.watchersByType.get(request.resource.id);
    if (!watchers) this.watchersByType.set(request.resource.id, (watchers = new Set()));
    watchers.add(watcher);
    const release = (): void => this.release(watcher);
    response.on('close', release);
    if (request.timeoutSeconds !== undefined) {
      watcher.timeout = setTimeout(() => response.end(), request.timeoutSeconds * 1000);
    }
  }

  /** Closes every open watch abruptly (socket destroyed mid-stream), as a crashing server would. */
  dropAll(): number {
    const watchers = this.allWatchers();
    for (const watcher of watchers) watcher.response.socket?.destroy();
    return watchers.length;
  }

  /** Ends every open watch cleanly (used on shutdown). */
  closeAll(): void {
    for (const watcher of this.allWatchers()) watcher.response.end();
  }

  /** Stops listening to the store and ends all watches. */
  dispose(): void {
    this.unsubscribe();
    clearInterval(this.bookmarkTimer);
    this.closeAll();
  }

  private allWatchers(): Watcher[] {
    return [...this.watchersByType.values()].flatMap((watchers) => [...watchers]);
  }

  private release(watcher: Watcher): void {
    if (watcher.timeout) clearTimeout(watcher.timeout);
    this.watchersByType.get(watcher.request.resource.id)?.delete(watcher);
  }

  private dispatch(event: ChangeEvent): void {
    const watchers = this.watchersByType.get(event.resource.id);
    if (!watchers || watchers.size === 0) return;
    for (const watcher of watchers) this.deliver(watcher, event);
  }

  /** Sends the event as the watcher should see it, turning selector transitions into ADDED/DELETED. */
  private deliver(watcher: Watcher, event: ChangeEvent): void {
    const { request } = watcher;
    if (request.namespace !== undefined && event.object.metadata.namespace !== request.namespace) return;
    const nowMatches = event.type !== 'DELETED' && this.matches(request, event.object);
    const usedToMatch = event.previous !== undefined && this.matches(request, event.previous);
    if (event.type === 'DELETED') {
      if (usedToMatch) this.writeShared(watcher, event, 'DELETED');
    } else if (nowMatches) {
      this.writeShared(watcher, event, event.type === 'MODIFIED' && !usedToMatch ? 'ADDED' : event.type);
    } else if (usedToMatch) {
      this.writeShared(watcher, event, 'DELETED');
    }
  }

  private matches(request: WatchRequest, object: KubeObject): boolean {
    if (!request.labelSelector.empty && !request.labelSelector.matches(object.metadata.labels)) return false;
    return request.fieldSelector.empty || request.fieldSelector.matches(object);
  }

  private writeShared(watcher: Watcher, event: ChangeEvent, type: WatchEventType): void {
    let lines = this.lineCache.get(event);
    if (!lines) this.lineCache.set(event, (lines = new Map()));
    const cacheKey = `${watcher.request.encoding.id}:${type}`;
    let line = lines.get(cacheKey);
    if (line === undefined) {
      line = `${JSON.stringify({ type, object: watcher.request.encoding.encode(event.object) })}\n`;
      lines.set(cacheKey, line);
    }
    this.send(watcher, line);
  }

  private write(watcher: Watcher, type: WatchEventType, object: KubeObject | BookmarkObject): void {
    const encoded = type === 'BOOKMARK' ? object : watcher.request.encoding.encode(object as KubeObject);
    this.send(watcher, `${JSON.stringify({ type, object: encoded })}\n`);
  }

  private send(watcher: Watcher, line: string): void {
    const { response } = watcher;
    if (response.destroyed || response.writableEnded) return;
    if (response.writableLength > (this.options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES)) {
      response.socket?.destroy();
      return;
    }
    response.write(line);
  }

  private fail(watcher: Watcher, error: ApiError): void {
    watcher.response.end(`${JSON.stringify({ type: 'ERROR', object: error.toStatus() })}\n`);
  }

  private sendBookmarks(): void {
    for (const watchers of this.watchersByType.values()) {
      for (const watcher of watchers) {
        if (watcher.request.allowBookmarks) this.write(watcher, 'BOOKMARK', this.bookmarkObject(watcher.request.resource));
      }
    }
  }

  /** A BOOKMARK carries only kind, apiVersion and the resourceVersion the watcher is now current to. */
  private bookmarkObject(type: ResourceType, annotations?: Record<string, string>): BookmarkObject {
    const metadata: BookmarkObject['metadata'] = { resourceVersion: String(this.store.currentResourceVersion) };
    if (annotations) metadata.annotations = annotations;
    return { kind: type.kind, apiVersion: type.apiVersion, metadata };
  }
}

/**
 * Parses a watch's `resourceVersion`: undefined means "send the current state first"
 * (absent or "0"), a number means "resume after it".
 * @throws ApiError 400 when it is not a number.
 */
export function parseResourceVersion(text: string): number | undefined {
  if (text === '' || text === '0') return undefined;
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version: ${text}`);
  return Number(text);
}
