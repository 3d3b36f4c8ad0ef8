/**
 * Optional persistence: the whole store written as one JSON snapshot, at most once per
 * interval while changes keep coming, and read back on start so a restart keeps objects.
 * Writes go to a temporary file first and are renamed into place, so a crash mid-write
 * never leaves a truncated snapshot.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ObjectStore, StoreSnapshot } from './store.ts';

/** Keeps a snapshot file in sync with a store. */
export class SnapshotPersistence {
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly store: ObjectStore,
    private readonly intervalMs = 500,
  ) {}

  /**
   * Loads the snapshot into the store if the file exists.
   * @returns whether a snapshot was loaded.
   * @throws Error when the file exists but is not a valid snapshot.
   */
  load(): boolean {
    if (!existsSync(this.path)) return false;
    const snapshot = JSON.parse(readFileSync(this.path, 'utf8')) as StoreSnapshot;
    if (typeof snapshot.resourceVersion !== 'number' || typeof snapshot.objects !== 'object') {
      throw new Error(`${this.path} is not an embedded cluster snapshot`);
    }
    this.store.restore(snapshot);
    return true;
  }

  /** Starts writing snapshots after changes. */
  start(): void {
    this.unsubscribe ??= this.store.subscribe(() => this.markDirty());
  }

  /** Stops watching for changes and writes any pending snapshot. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.flush();
  }

  /** Writes the snapshot now if anything changed since the last write. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) {
      this.dirty = false;
      const text = JSON.stringify(this.store.snapshot());
      this.writing = this.writing.then(() => this.write(text));
    }
    await this.writing;
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch((error: unknown) => console.error('embedded cluster: writing snapshot failed', error));
    }, this.intervalMs);
    this.timer.unref();
  }

  private async write(text: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, this.path);
  }
}
