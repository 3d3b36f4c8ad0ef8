import { EventEmitter } from 'node:events';
import type { NotifyHub } from '../notify.ts';

/**
 * "Item <id> of a kind changed" notifications for one topic (`release`, `build`, `log` …): in
 * this process at once, and across processes through the {@link NotifyHub}'s LISTEN/NOTIFY.
 * Receivers re-read the database, so a duplicate or a lost notification costs latency, never
 * correctness (workers also tick). Every long-running domain announces its changes on one of
 * these; none keeps an emitter or a NOTIFY channel of its own.
 */
export class TopicBus {
  private readonly emitter = new EventEmitter();
  private unlisten: (() => void) | null = null;

  constructor(
    private readonly hub: NotifyHub,
    /** The topic on the hub; letters only (the hub's payload is `<topic>:<id>`). */
    readonly topic: string,
  ) {
    if (!/^[a-z][a-z-]*$/.test(topic)) throw new Error(`invalid bus topic ${JSON.stringify(topic)}`);
    this.emitter.setMaxListeners(0);
  }

  /** Starts relaying other processes' notifications of this topic. */
  start(): void {
    this.unlisten ??= this.hub.on(this.topic, (id) => this.emitter.emit('changed', id));
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
    this.emitter.removeAllListeners();
  }

  /** Announces a committed change of item `id`: call it after the transaction commits. */
  publish(id: string): void {
    this.emitter.emit('changed', id);
    this.hub.publish(this.topic, id);
  }

  /** @returns the function that stops listening. */
  subscribe(listener: (id: string) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }
}
