/**
 * Time for the simulated controllers. Delays are given in simulated time and scaled by
 * `timeScale` (0.05 turns a 2 s delay into 100 ms), so tests exercise realistic timings in
 * a fraction of the wall time. Timestamps written on objects stay wall-clock, so kubectl's
 * AGE column and client caches behave as against a real cluster.
 */

/** A cancellable timer created by a {@link SimulationClock}. */
export interface TimerHandle {
  cancel(): void;
}

/** The clock every controller takes; tests may pass their own. */
export interface SimulationClock {
  /** Multiplier from simulated to real durations (1 = real time). */
  readonly timeScale: number;
  /** Wall-clock time, used for timestamps on objects and log lines. */
  now(): Date;
  /** Simulated time: advances `1 / timeScale` times faster than the wall clock. Cron schedules run on it. */
  simulatedNow(): Date;
  /** Runs `callback` once after `simulatedMs` of simulated time. */
  after(simulatedMs: number, callback: () => void): TimerHandle;
  /** Runs `callback` every `simulatedMs` of simulated time until cancelled. */
  every(simulatedMs: number, callback: () => void): TimerHandle;
  /** Converts a simulated duration to real milliseconds. */
  toRealMs(simulatedMs: number): number;
  /** Cancels every pending timer (used when the cluster stops). */
  cancelAll(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Creates the default clock: real timers scaled by `timeScale`.
 * @throws RangeError when timeScale is not a positive number.
 */
export function createScaledClock(timeScale = 1): SimulationClock {
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${timeScale}`);
  const origin = Date.now();
  const pending = new Set<NodeJS.Timeout>();

  const track = (timer: NodeJS.Timeout, repeating: boolean): TimerHandle => {
    // Unref'd so an embedded cluster never keeps a test process alive on its own.
    timer.unref();
    pending.add(timer);
    return {
      cancel() {
        if (repeating) clearInterval(timer);
        else clearTimeout(timer);
        pending.delete(timer);
      },
    };
  };

  const toRealMs = (simulatedMs: number): number => Math.max(0, simulatedMs * timeScale);
  // Node fires timers longer than 2^31-1 ms immediately; cap them, ~24 days is "never" here.
  const timerDelay = (simulatedMs: number): number => Math.min(toRealMs(simulatedMs), MAX_TIMER_MS);

  return {
    timeScale,
    now: () => new Date(),
    simulatedNow: () => new Date(origin + (Date.now() - origin) / timeScale),
    toRealMs,
    after(simulatedMs, callback) {
      const timer: NodeJS.Timeout = setTimeout(() => {
        pending.delete(timer);
        callback();
      }, timerDelay(simulatedMs));
      return track(timer, false);
    },
    every(simulatedMs, callback) {
      return track(setInterval(callback, Math.max(1, timerDelay(simulatedMs))), true);
    },
    cancelAll() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    },
  };
}
