/**
 * A de-duplicating work queue, as client-go controllers use: a key added many times before
 * it is processed is processed once, on a later turn of the event loop, so controllers never
 * re-enter the store while it is notifying.
 */
import type { SimulationClock, TimerHandle } from '../clock.ts';

/** Processes keys added to it; failures are retried after `retryDelayMs` (simulated). */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly delayed = new Map<string, TimerHandle>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly clock: SimulationClock,
    private readonly process: (key: string) => void,
    private readonly retryDelayMs = 1000,
  ) {}

  /** Queues `key` for processing soon. */
  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Queues `key` after `simulatedMs`; an earlier pending delay for the same key is kept. */
  addAfter(key: string, simulatedMs: number): void {
    if (this.stopped || this.delayed.has(key)) return;
    this.delayed.set(
      key,
      this.clock.after(simulatedMs, () => {
        this.delayed.delete(key);
        this.add(key);
      }),
    );
  }

  /** Drops all pending work; later adds are ignored. */
  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const timer of this.delayed.values()) timer.cancel();
    this.delayed.clear();
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.process(key);
      } catch (error) {
        // A conflicting concurrent write (or a bug) must not kill the controller: retry later.
        if (process.env['GANTRY_EMBEDDED_DEBUG']) console.error(`embedded cluster: reconcile of ${key} failed`, error);
        this.addAfter(key, this.retryDelayMs);
      }
    }
  }
}
