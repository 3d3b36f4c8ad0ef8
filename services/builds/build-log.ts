/** One output line of a build, as the log_lines table stores it. */
export interface BuildLogLine {
  at: Date;
  source: string;
  message: string;
}

export interface BuildLogOptions {
  /** Appends lines to a stream and tells its live readers (the shared runtime's LogLineFeed.append). */
  append: (stream: string, lines: BuildLogLine[]) => Promise<unknown>;
  now: () => Date;
  /** How long lines wait to be written together. */
  flushMs?: number;
}

const MAX_PENDING = 5000;

/**
 * The output of running builds, batched: lines are written every `flushMs` (a few statements a
 * second however chatty a compiler is), in order, each once. A build's last lines are flushed
 * before its final event is written, so buildLogs can complete knowing it has them all.
 */
export class BuildLog {
  private readonly pending = new Map<string, BuildLogLine[]>();
  private readonly writing = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: BuildLogOptions) {}

  /** The stream of a build's lines. */
  static stream(buildId: string): string {
    return `build:${buildId}`;
  }

  add(buildId: string, source: string, message: string): void {
    let lines = this.pending.get(buildId);
    if (!lines) this.pending.set(buildId, (lines = []));
    if (lines.length >= MAX_PENDING) return; // the database is behind; drop rather than grow without bound
    lines.push({ at: this.options.now(), source, message });
    this.timer ??= setTimeout(() => {
      this.timer = null;
      for (const id of [...this.pending.keys()]) void this.flush(id).catch(() => {});
    }, this.options.flushMs ?? 50);
  }

  /** Writes a build's pending lines now (after any write in progress). */
  flush(buildId: string): Promise<void> {
    const previous = this.writing.get(buildId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const lines = this.pending.get(buildId);
      if (!lines || lines.length === 0) return;
      this.pending.delete(buildId);
      const stream = BuildLog.stream(buildId);
      await this.options.append(stream, lines);
    });
    const tracked = next.finally(() => {
      if (this.writing.get(buildId) === tracked) this.writing.delete(buildId);
    });
    this.writing.set(buildId, tracked);
    return tracked;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
