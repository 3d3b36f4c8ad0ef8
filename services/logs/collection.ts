import type { Logger } from 'pino';
import type { ClusterPort, PodLogFollow, PodLogLine, PodLogPosition } from '../cluster/directory.ts';
import type { PodView } from '../cluster/kinds.ts';
import { LABELS } from '../cluster/labels.ts';
import type { LeaseFence } from '../shared/runtime/leases.ts';
import type { LogBatch, LogLineRow, NewPodLogLine } from './store.ts';

/** What a collection needs to know of its environment. */
export interface CollectedEnvironment {
  id: string;
  namespace: string;
  /** The `app.kubernetes.io/instance` label of its pods (`checkout-prod`). */
  instance: string;
}

export interface CollectionOptions {
  logger: Logger;
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

/** What a flush took from one collection: its batch, and how many lines of each pod it holds. */
export interface TakenBatch extends LogBatch {
  taken: Map<FollowedPod, number>;
}

/**
 * The collection of one environment's pod logs in the process holding its lease: one follow
 * per running pod (through the cluster port) and per-pod bounded buffers. The collector's flush
 * takes each collection's batch ({@link take}), stores them all in one write under their leases'
 * fences, and hands each its outcome ({@link settle}). A flush that finds the lease gone stops
 * everything: the new holder resumes from the stored positions, so nothing is lost and nothing
 * stored twice.
 */
export class EnvironmentCollection {
  private readonly pods = new Map<string, FollowedPod>();
  /** Pods whose log was read to the end: not followed again while they stay. */
  private readonly done = new Set<string>();
  private running = new Map<string, PodView>();
  closed = false;
  lost = false;

  constructor(
    private readonly options: CollectionOptions,
    readonly environment: CollectedEnvironment,
    private readonly port: ClusterPort,
    readonly fence: LeaseFence & { stillLeader(): boolean },
    private readonly positions: Map<string, PodLogPosition>,
  ) {}

  /** Lines read and not yet stored. */
  get buffered(): number {
    let lines = 0;
    for (const pod of this.pods.values()) lines += pod.buffer.length;
    return lines;
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

  /**
   * The lines to write next: one batch of at most 10,000 lines, every pod's share in turn (its
   * `lines` may be empty). Null when closed or no longer the lease holder: nothing to do.
   */
  take(): TakenBatch | null {
    if (this.closed || !this.fence.stillLeader()) return null;
    const taken = new Map<FollowedPod, number>();
    const lines: NewPodLogLine[] = [];
    const positions = new Map<string, PodLogPosition>();
    const buffered = [...this.pods.values()].filter((pod) => pod.buffer.length > 0);
    // Fair shares: a flooding pod cannot push the others' lines out of the batch.
    const share = Math.max(1, Math.floor(MAX_BATCH / Math.max(1, buffered.length)));
    const now = Date.now();
    for (const pod of buffered) {
      const podLines = pod.buffer.slice(0, share);
      taken.set(pod, podLines.length);
      for (const line of podLines) {
        const age = now - line.at.getTime();
        // A timestamp outside what the store keeps (a skewed clock) would make a partition of its own.
        const at = age > this.options.retentionMs || age < -86_400_000 ? new Date(now) : line.at;
        lines.push({ pod: pod.name, version: pod.version, at, message: line.message });
      }
      positions.set(pod.name, podLines.at(-1)!.position);
    }
    return { environmentId: this.environment.id, lines, positions, fence: this.fence, taken };
  }

  /**
   * After the write of `batch`: `rows` were stored (the buffers move on), null when the lease
   * was lost (nothing was written: the collection closes). Not called when the write failed:
   * the buffers stay, and the next flush takes the same lines again.
   */
  settle(batch: TakenBatch, rows: LogLineRow[] | null): void {
    if (batch.lines.length > 0) {
      if (rows === null) {
        this.lost = true;
        this.close();
        return;
      }
      for (const [pod, count] of batch.taken) {
        pod.buffer.splice(0, count);
        this.positions.set(pod.name, batch.positions.get(pod.name)!);
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
    for (const pod of this.pods.values()) {
      pod.follow?.stop();
      for (const resume of pod.waiters.splice(0)) resume();
    }
  }
}
