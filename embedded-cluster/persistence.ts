/**
 * Durable persistence of the object store: a snapshot (`cluster-state.json`) plus the
 * write-ahead log of every change committed after it (see wal.ts). The API server waits for
 * {@link DurablePersistence.sync} before answering a write, so an acknowledged write survives
 * kill -9. On start the snapshot is loaded and the log replayed over it; the log is compacted
 * into a new snapshot (written to a temporary file, fsync'd and renamed into place) when a
 * segment grows past `compactAfterBytes`, at start and at stop.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangeEvent } from './history.ts';
import type { ObjectStore, StoreSnapshot } from './store.ts';
import { deleteSegments, listSegments, PRIVATE_FILE_MODE, readSegments, syncDirectory, WriteAheadLog, type LoggedChange } from './wal.ts';

const SNAPSHOT_FILE = 'cluster-state.json';

/** Keeps a snapshot and a write-ahead log in `directory` in step with a store. */
export class DurablePersistence {
  private wal: WriteAheadLog | undefined;
  private unsubscribe: (() => void) | undefined;
  private compacting: Promise<void> | undefined;

  constructor(
    private readonly directory: string,
    private readonly store: ObjectStore,
    private readonly compactAfterBytes = 8 * 1024 * 1024,
    private readonly onError: (error: Error) => void = (error) => console.error(`embedded cluster: ${error.message}`),
  ) {}

  get snapshotPath(): string {
    return join(this.directory, SNAPSHOT_FILE);
  }

  /**
   * Loads the snapshot and replays the log over it, then compacts both into a new snapshot.
   * @returns how many logged changes were replayed, or undefined when there was no state.
   * @throws Error when the snapshot or a complete log line is unreadable.
   */
  load(): number | undefined {
    mkdirSync(this.directory, { recursive: true });
    const hasSnapshot = existsSync(this.snapshotPath);
    if (hasSnapshot) {
      const snapshot = JSON.parse(readFileSync(this.snapshotPath, 'utf8')) as StoreSnapshot;
      if (typeof snapshot.resourceVersion !== 'number' || typeof snapshot.objects !== 'object') {
        throw new Error(`${this.snapshotPath} is not an embedded cluster snapshot`);
      }
      this.store.restore(snapshot);
    }
    const changes = readSegments(this.directory);
    const replayed = this.store.replay(changes);
    const segments = listSegments(this.directory);
    if (segments.length > 0) {
      this.writeSnapshotSync();
      deleteSegments(this.directory, segments);
    }
    return hasSnapshot || segments.length > 0 ? replayed : undefined;
  }

  /** Starts logging every committed change (controllers' writes included). */
  start(): void {
    if (this.wal) return;
    const segments = listSegments(this.directory);
    this.wal = new WriteAheadLog(this.directory, (segments.at(-1) ?? 0) + 1);
    this.unsubscribe = this.store.subscribe((event) => this.log(event));
  }

  /**
   * Resolves when every change committed so far is durable.
   * @throws Error when the log could not be written.
   */
  async sync(): Promise<void> {
    await this.wal?.sync();
  }

  /** Stops logging, makes everything durable and compacts the log into the snapshot. */
  async stop(): Promise<void> {
    const wal = this.wal;
    if (!wal) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.compacting;
    await this.compact(wal);
    await wal.close();
    this.wal = undefined;
    deleteSegments(this.directory, listSegments(this.directory));
  }

  private log(event: ChangeEvent): void {
    const wal = this.wal;
    if (!wal) return;
    const { object } = event;
    const change: LoggedChange =
      event.type === 'DELETED'
        ? { resourceVersion: event.resourceVersion, op: 'delete', resource: event.resource.id, namespace: object.metadata.namespace, name: object.metadata.name }
        : { resourceVersion: event.resourceVersion, op: 'put', resource: event.resource.id, object };
    wal.append(change);
    if (wal.segmentBytes >= this.compactAfterBytes && !this.compacting) {
      this.compacting = this.compact(wal)
        .catch((error: unknown) => this.onError(error as Error))
        .finally(() => (this.compacting = undefined));
    }
  }

  /** Rotates the log, writes a snapshot of this instant and deletes the segments it covers. */
  private async compact(wal: WriteAheadLog): Promise<void> {
    const obsolete = wal.rotate();
    const text = JSON.stringify(this.store.snapshot());
    await mkdir(this.directory, { recursive: true });
    const temporary = `${this.snapshotPath}.tmp`;
    const file = await open(temporary, 'w', PRIVATE_FILE_MODE);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.snapshotPath);
    syncDirectory(this.directory);
    deleteSegments(this.directory, obsolete);
  }

  private writeSnapshotSync(): void {
    const temporary = `${this.snapshotPath}.tmp`;
    const fd = openSync(temporary, 'w', PRIVATE_FILE_MODE);
    try {
      writeSync(fd, JSON.stringify(this.store.snapshot()));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.snapshotPath);
    syncDirectory(this.directory);
  }
}
