import type { Logger } from 'pino';
import type { ClusterPort, PodLogFollow, PodLogLine, PodLogPosition } from '../cluster/directory.ts';
import type { PodView } from '../cluster/kinds.ts';
import { LABELS } from '../cluster/labels.ts';
import type { LeaseFence } from '../shared/runtime/leases.ts';
import type { LogLineRow, LogStore, NewPodLogLine } from './store.ts';

/** What a collection needs to know of its environment. */
export interface CollectedEnvironment {
  id: string;
  namespace: string;
  /** The `app.kubernetes.io/instance` label of its pods (`checkout-prod`). */
  instance: string;
}

export interface CollectionOptions {
  store: LogStore;
  logger: Logger;
  /** How often buffered lines are written (default 100 ms). */
  flushMs?: number;
  /** Lines buffered per pod before its stream is held (pushed back to the kubelet); default 5,000. */
  maxBufferedPerPod?: number;
  /** Lines older than this are stored at the time they arrive (their day is already gone). */
  retentionMs: number;
  /** Told after each stored batch (publish on the bus). */
  stored(environmentId: string, rows: readonly LogLineRow[]): void;
}

interface FollowedPod {
  name: string;
  version: string | null;
  follow: PodLogFollow | null;
  buffer: PodLogLine[];
  /** Streams held because the buffer is full, resumed after a flush. */
  waiters: (() => void)[];
  /** The follow ended for good (the container stopped): forget it once flushed. */
  finished: boolean;
}

const MAX_BATCH = 10_000;

/**
 * The collection of one environment's pod logs in the process holding its lease: one follow
 * per running pod (through the cluster port), per-pod bounded buffers, and a flush every
 * `flushMs` that stores the buffered lines with their pods' positions under the lease's fence.
 * A flush that finds the lease gone stops everything: the new holder resumes from the stored
 * positions, so nothing is lost and nothing stored twice.
 */
export class EnvironmentCollection {
  private readonly pods = new Map<string, FollowedPod>();
  /** Pods whose log was read to the end: not followed again while they stay. */
  private readonly done = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | null = null;
  private running = new Map<string, PodView>();
  closed = false;
  lost = false;

  constructor(
    private readonly options: CollectionOptions,
    readonly environment: CollectedEnvironment,
    private readonly port: ClusterPort,
    readonly fence: LeaseFence & { stillLeader(): boolean },
    private readonly positions: Map<string, PodLogPosition>,
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushMs ?? 100);
    this.timer.unref();
  }

  /** Follows the environment's pods as the watch cache shows them now. */
  sync(pods: readonly PodView[]): void {
    if (this.closed) return;
    const mine = pods.filter((pod) => pod.labels[LABELS.instance] === this.environment.instance);
    this.running = new Map(mine.filter((pod) => pod.phase === 'RUNNING').map((pod) => [pod.name, pod]));
    const present = new Set(mine.map((pod) => pod.name));
    for (const name of this.done) if (!present.has(name)) this.done.delete(name);
    for (const pod of mine) {
      // Pending pods have no log yet; finished ones are read once to their end.
      if (pod.phase === 'PENDING' || pod.phase === 'UNKNOWN' || this.pods.has(pod.name) || this.done.has(pod.name)) continue;
      this.start(pod);
    }
    for (const [name, followed] of this.pods) if (!present.has(name)) followed.follow?.stop();
  }

  private start(pod: PodView): void {
    const followed: FollowedPod = { name: pod.name, version: pod.labels[LABELS.version] ?? null, follow: null, buffer: [], waiters: [], finished: false };
    this.pods.set(pod.name, followed);
    const max = this.options.maxBufferedPerPod ?? 5_000;
    followed.follow = this.port.followPodLog({
      target: { namespace: this.environment.namespace, pod: pod.name, container: 'app' },
      from: this.positions.get(pod.name) ?? null,
      lines: (lines) => {
        if (this.closed) return;
        followed.buffer.push(...lines);
        if (followed.buffer.length < max) return;
        return new Promise<void>((resolve) => followed.waiters.push(resolve));
      },
      keepFollowing: () => !this.closed && this.running.has(pod.name),
      ended: () => {
        followed.finished = true;
      },
      failed: (error) => this.options.logger.debug({ environment: this.environment.id, pod: pod.name, err: error.message }, 'pod log connection failed; retrying'),
    });
  }

  /** Writes what is buffered (one batch, at most 10,000 lines, every pod's share in turn). */
  flush(): Promise<void> {
    if (this.flushing || this.closed) return this.flushing ?? Promise.resolve();
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (!this.fence.stillLeader()) return;
    const taken = new Map<FollowedPod, number>();
    const batch: NewPodLogLine[] = [];
    const positions = new Map<string, PodLogPosition>();
    const buffered = [...this.pods.values()].filter((pod) => pod.buffer.length > 0);
    // Fair shares: a flooding pod cannot push the others' lines out of the batch.
    const share = Math.max(1, Math.floor(MAX_BATCH / Math.max(1, buffered.length)));
    const now = Date.now();
    for (const pod of buffered) {
      const lines = pod.buffer.slice(0, share);
      taken.set(pod, lines.length);
      for (const line of lines) {
        const age = now - line.at.getTime();
        // A timestamp outside what the store keeps (a skewed clock) would make a partition of its own.
        const at = age > this.options.retentionMs || age < -86_400_000 ? new Date(now) : line.at;
        batch.push({ pod: pod.name, version: pod.version, at, message: line.message });
      }
      positions.set(pod.name, lines.at(-1)!.position);
    }
    if (batch.length > 0) {
      let rows: LogLineRow[] | null;
      try {
        rows = await this.options.store.append(this.environment.id, batch, positions, this.fence);
      } catch (error) {
        // Only the SQLSTATE: a failed statement's text carries its parameters (the lines).
        const failure = error as { code?: unknown; cause?: { code?: unknown } };
        this.options.logger.warn({ environment: this.environment.id, code: failure.code ?? failure.cause?.code ?? null }, 'storing log lines failed; will retry');
        return;
      }
      if (rows === null) {
        this.lost = true;
        this.close();
        return;
      }
      for (const [pod, count] of taken) {
        pod.buffer.splice(0, count);
        this.positions.set(pod.name, positions.get(pod.name)!);
      }
      this.options.stored(this.environment.id, rows);
    }
    const max = this.options.maxBufferedPerPod ?? 5_000;
    for (const [name, pod] of this.pods) {
      if (pod.buffer.length < max) for (const resume of pod.waiters.splice(0)) resume();
      if (pod.finished && pod.buffer.length === 0) {
        this.pods.delete(name);
        // A pod that stopped for good is not followed again; one that still runs (a crash loop's restart) is.
        if (!this.running.has(name)) this.done.add(name);
      }
    }
  }

  /** Stops every follow; what is still buffered is dropped (the next holder reads it again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const pod of this.pods.values()) {
      pod.follow?.stop();
      for (const resume of pod.waiters.splice(0)) resume();
    }
  }

  /** Writes what is buffered, then closes (a clean shutdown). */
  async drain(): Promise<void> {
    await this.flushing;
    if (!this.closed) await this.flush();
    this.close();
  }
}
