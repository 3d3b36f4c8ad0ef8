/**
 * The write-ahead log: every committed change appended as one JSON line to a segment file
 * and made durable with fdatasync before the API server acknowledges the write.
 *
 * Group commit: changes committed while an fdatasync is in flight are written together and
 * share the next one, so concurrent writers cost one disk flush per batch, not one each.
 * Segments (`cluster-wal.<n>.jsonl`) rotate at compaction: a snapshot taken at the moment of
 * rotation covers every change in the older segments, which are deleted once the snapshot is
 * durable. A crash can only tear the last line of a segment, and that line was never
 * acknowledged (its fdatasync had not returned), so replay ignores an unterminated last line.
 */
import { closeSync, existsSync, fdatasync, fsyncSync, openSync, readdirSync, readFileSync, unlinkSync, write } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from './objects.ts';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);
const SEGMENT_NAME = /^cluster-wal\.(\d+)\.jsonl$/;
/** The log and the snapshot hold Secrets: readable by their owner only, like the kubeconfig. */
export const PRIVATE_FILE_MODE = 0o600;

/** One logged change: the object's new state, or the deletion of an object. */
export type LoggedChange =
  | { resourceVersion: number; op: 'put'; resource: string; object: KubeObject }
  | { resourceVersion: number; op: 'delete'; resource: string; namespace: string | undefined; name: string };

interface Waiter {
  sequence: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Fsyncs a directory so that file creations, renames and unlinks in it survive a crash. */
export function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The segment numbers present in `directory`, ascending. */
export function listSegments(directory: string): number[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export function segmentPath(directory: string, segment: number): string {
  return join(directory, `cluster-wal.${segment}.jsonl`);
}

/**
 * Reads every complete change of every segment, in order.
 * @throws Error when a terminated line is not a valid change (the log is corrupt, not torn).
 */
export function readSegments(directory: string): LoggedChange[] {
  const changes: LoggedChange[] = [];
  for (const segment of listSegments(directory)) {
    const path = segmentPath(directory, segment);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.pop(); // the text after the last newline: empty, or a torn write that was never acknowledged
    lines.forEach((line, index) => {
      let change: LoggedChange;
      try {
        change = JSON.parse(line) as LoggedChange;
      } catch {
        throw new Error(`${path} line ${index + 1} is not a valid write-ahead log entry`);
      }
      if (typeof change.resourceVersion !== 'number' || (change.op !== 'put' && change.op !== 'delete') || typeof change.resource !== 'string') {
        throw new Error(`${path} line ${index + 1} is not a valid write-ahead log entry`);
      }
      changes.push(change);
    });
  }
  return changes;
}

/** Appends changes to the current segment with group-committed fdatasync. */
export class WriteAheadLog {
  private fd: number;
  private bytes = 0;
  private pending: string[] = [];
  private appended = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  /** A segment opened by {@link rotate} that the flush loop has not switched to yet. */
  private next: { segment: number; fd: number } | undefined;
  private closed = false;

  constructor(
    private readonly directory: string,
    private segment: number,
  ) {
    this.fd = openSync(segmentPath(directory, segment), 'a', PRIVATE_FILE_MODE);
    syncDirectory(directory);
  }

  /** Bytes written to the current segment. */
  get segmentBytes(): number {
    return this.bytes;
  }

  /** The segment new changes go to. */
  get currentSegment(): number {
    return this.next?.segment ?? this.segment;
  }

  /** Queues a change; it is durable once a later {@link sync} resolves. */
  append(change: LoggedChange): void {
    if (this.closed) throw new Error('the write-ahead log is closed');
    this.pending.push(`${JSON.stringify(change)}\n`);
    this.appended++;
    // Deferred to a microtask so that all changes of one synchronous step share a batch.
    if (!this.flushing) this.flushing = Promise.resolve().then(() => this.flushLoop());
  }

  /**
   * Resolves when every change appended so far is on disk.
   * @throws Error when writing the log failed (the change may be lost on a crash).
   */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.durable >= this.appended) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ sequence: this.appended, resolve, reject }));
  }

  /**
   * Starts a new segment for every change appended from now on.
   * @returns the segments that a snapshot taken right now makes obsolete.
   */
  rotate(): number[] {
    const obsolete = listSegments(this.directory).filter((segment) => segment <= this.currentSegment);
    const segment = this.currentSegment + 1;
    const fd = openSync(segmentPath(this.directory, segment), 'a', PRIVATE_FILE_MODE);
    syncDirectory(this.directory);
    if (this.next) closeSync(this.next.fd);
    this.next = { segment, fd };
    // Pending changes not yet written go to the new segment: harmless, as replay skips changes the snapshot holds.
    if (!this.flushing) this.flushing = Promise.resolve().then(() => this.flushLoop());
    return obsolete;
  }

  /** Writes what is pending and closes the segment. */
  async close(): Promise<void> {
    await this.sync().catch(() => undefined);
    await this.flushing;
    this.closed = true;
    closeSync(this.fd);
    if (this.next) closeSync(this.next.fd);
    this.next = undefined;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0 || this.next) {
        if (this.next) {
          closeSync(this.fd);
          ({ segment: this.segment, fd: this.fd } = this.next);
          this.next = undefined;
          this.bytes = 0;
        }
        if (this.pending.length === 0) continue;
        const batch = Buffer.from(this.pending.join(''));
        const sequence = this.appended;
        this.pending = [];
        for (let offset = 0; offset < batch.length; ) {
          const { bytesWritten } = await writeAsync(this.fd, batch, offset, batch.length - offset);
          offset += bytesWritten;
        }
        await fdatasyncAsync(this.fd);
        this.bytes += batch.length;
        this.durable = sequence;
        this.settle();
      }
    } catch (error) {
      this.failure = new Error(`writing the embedded cluster's write-ahead log failed: ${(error as Error).message}`);
      this.settle();
    } finally {
      this.flushing = undefined;
    }
  }

  private settle(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (this.failure) waiter.reject(this.failure);
      else if (waiter.sequence <= this.durable) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }
}

/** Deletes segments a durable snapshot covers. */
export function deleteSegments(directory: string, segments: number[]): void {
  for (const segment of segments) unlinkSync(segmentPath(directory, segment));
  if (segments.length > 0) syncDirectory(directory);
}
