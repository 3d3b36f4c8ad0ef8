/**
 * The retained change history: a fixed-size ring of the most recent changes, in
 * resourceVersion order. Watches resume from it; anything older is gone and answered
 * with 410, exactly like a compacted etcd behind a real API server.
 */
import type { KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';

/** A watch event type as sent on the wire (BOOKMARK and ERROR are produced by the watch layer). */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change to one object. Immutable once created. */
export interface ChangeEvent {
  readonly resourceVersion: number;
  readonly type: ChangeType;
  readonly resource: ResourceType;
  /** The new state; for DELETED, the last state stamped with the deletion's resourceVersion. */
  readonly object: KubeObject;
  /** The state before this change; undefined for ADDED. */
  readonly previous: KubeObject | undefined;
}

/** A bounded ring of {@link ChangeEvent}s. */
export class ChangeHistory {
  private readonly events: Array<ChangeEvent | undefined>;
  private start = 0;
  private size = 0;
  /** Every change at or below this resourceVersion has been discarded. */
  private compactedThrough: number;

  constructor(
    private readonly capacity: number,
    initialResourceVersion: number,
  ) {
    this.events = new Array<ChangeEvent | undefined>(capacity);
    this.compactedThrough = initialResourceVersion;
  }

  /** The highest resourceVersion whose changes are no longer retained. */
  get compactedResourceVersion(): number {
    return this.compactedThrough;
  }

  /** Appends a change, discarding the oldest one when full. */
  append(event: ChangeEvent): void {
    if (this.size === this.capacity) {
      const oldest = this.events[this.start];
      if (oldest) this.compactedThrough = oldest.resourceVersion;
      this.events[this.start] = event;
      this.start = (this.start + 1) % this.capacity;
      return;
    }
    this.events[(this.start + this.size) % this.capacity] = event;
    this.size++;
  }

  /**
   * Returns the changes after `resourceVersion`, oldest first, or undefined when some of
   * them were already discarded (the caller answers 410 Gone).
   */
  since(resourceVersion: number): ChangeEvent[] | undefined {
    if (resourceVersion < this.compactedThrough) return undefined;
    const first = this.firstIndexAfter(resourceVersion);
    const result: ChangeEvent[] = [];
    for (let i = first; i < this.size; i++) {
      const event = this.events[(this.start + i) % this.capacity];
      if (event) result.push(event);
    }
    return result;
  }

  /** Discards everything, as if etcd had been compacted at `currentResourceVersion`. */
  expire(currentResourceVersion: number): void {
    this.events.fill(undefined);
    this.start = 0;
    this.size = 0;
    this.compactedThrough = currentResourceVersion;
  }

  /** Binary search: the logical index of the first change newer than `resourceVersion`. */
  private firstIndexAfter(resourceVersion: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const event = this.events[(this.start + middle) % this.capacity];
      if (event && event.resourceVersion <= resourceVersion) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
