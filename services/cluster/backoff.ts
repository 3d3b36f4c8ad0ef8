/**
 * Jittered exponential backoff ("full jitter" around the exponential value): about 1 s, 2 s,
 * 4 s … capped at 30 s, each delay drawn from [base·(1−jitter), base]. Jitter keeps many watches
 * that failed together (an API server restart) from retrying in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: { initialMs?: number; maxMs?: number; factor?: number; jitter?: number; random?: () => number } = {},
  ) {}

  /** The delay before the next attempt, in milliseconds; grows with every call until reset. */
  next(): number {
    const { initialMs = 1000, maxMs = 30_000, factor = 2, jitter = 0.5, random = Math.random } = this.options;
    const base = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt += 1;
    return Math.round(base * (1 - jitter * random()));
  }

  /** Call after a success: the next failure starts from the initial delay again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
