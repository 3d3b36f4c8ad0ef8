/**
 * Lets one warning line through per key per window and counts the rest, so a cluster that is
 * down for hours writes a line a minute per watch instead of one per retry. The next line that
 * gets through carries how many were suppressed since the previous one.
 */
export class WarningLimiter {
  private readonly lastAt = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** null: stay quiet; otherwise log now, with `suppressed` lines left out since the last one. */
  admit(key: string): { suppressed: number } | null {
    const at = this.now();
    const last = this.lastAt.get(key);
    if (last !== undefined && at - last < this.windowMs) {
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
      return null;
    }
    this.lastAt.set(key, at);
    const suppressed = this.suppressed.get(key) ?? 0;
    this.suppressed.delete(key);
    return { suppressed };
  }

  /** Suppressed lines not yet reported for `key`, and forgets them (e.g. to report on recovery). */
  flush(key: string): number {
    const n = this.suppressed.get(key) ?? 0;
    this.suppressed.delete(key);
    return n;
  }
}
