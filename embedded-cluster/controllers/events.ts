/**
 * Records core/v1 Events for what the simulated controllers do (Scheduled, Pulled, Started,
 * ScalingReplicaSet, …), the way client-go's event recorder does: repeated events are
 * folded into one with a growing `count`, and old events are pruned.
 */
import type { SimulationClock } from '../clock.ts';
import { toKubeTime, type KubeObject } from '../objects.ts';
import type { ObjectStore } from '../store.ts';

/** `Normal` or `Warning`, as in `kubectl describe`. */
export type EventType = 'Normal' | 'Warning';

/** Records events about objects. */
export interface EventSink {
  record(involved: KubeObject, type: EventType, reason: string, message: string, component: string, fieldPath?: string): void;
}

/** Writes events to the store, folding repeats and keeping at most `maxEvents`. */
export class EventRecorder implements EventSink {
  private readonly recent = new Map<string, { namespace: string; name: string }>();
  private readonly order: Array<{ namespace: string; name: string }> = [];
  private sequence = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: SimulationClock,
    private readonly maxEvents = 2000,
  ) {}

  /** Records one event about `involved`. */
  record(involved: KubeObject, type: EventType, reason: string, message: string, component: string, fieldPath?: string): void {
    const namespace = involved.metadata.namespace ?? 'default';
    const foldKey = `${involved.metadata.uid ?? involved.metadata.name}|${reason}|${message}|${fieldPath ?? ''}`;
    const now = toKubeTime(this.clock.now());
    const existingRef = this.recent.get(foldKey);
    const existing = existingRef ? this.store.get('events', existingRef.namespace, existingRef.name) : undefined;
    if (existing) {
      this.store.update('events', { ...existing, metadata: { ...existing.metadata }, count: ((existing['count'] as number | undefined) ?? 1) + 1, lastTimestamp: now });
      return;
    }
    const name = `${involved.metadata.name}.${(Date.now() * 1000 + (this.sequence++ % 1000)).toString(16)}`;
    const involvedObject: Record<string, string> = {
      kind: involved.kind ?? '',
      namespace: involved.metadata.namespace ?? '',
      name: involved.metadata.name,
      uid: involved.metadata.uid ?? '',
      apiVersion: involved.apiVersion ?? '',
      resourceVersion: involved.metadata.resourceVersion ?? '',
    };
    if (fieldPath) involvedObject['fieldPath'] = fieldPath;
    this.store.create('events', {
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: '',
    });
    this.recent.set(foldKey, { namespace, name });
    this.order.push({ namespace, name });
    this.prune();
  }

  private prune(): void {
    while (this.order.length > this.maxEvents) {
      const oldest = this.order.shift();
      if (oldest && this.store.get('events', oldest.namespace, oldest.name)) this.store.remove('events', oldest.namespace, oldest.name);
    }
    if (this.recent.size > this.maxEvents * 2) this.recent.clear();
  }
}
