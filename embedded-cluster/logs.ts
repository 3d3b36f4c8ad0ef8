/**
 * Container logs of simulated pods: a fixed-size ring of lines per container (and one for the
 * previous instance after a restart), plus live followers for `kubectl logs -f`.
 */

/** One log line with the time the "kubelet" received it. */
export interface LogLine {
  /** RFC 3339 with nanoseconds, as the kubelet prefixes with `timestamps=true`. */
  time: string;
  epochMs: number;
  text: string;
}

/** Options of {@link ContainerLogs.read}. */
export interface LogReadOptions {
  tailLines?: number | undefined;
  sinceEpochMs?: number | undefined;
  timestamps?: boolean | undefined;
  previous?: boolean | undefined;
  limitBytes?: number | undefined;
}

/** Receives lines as they are written; `end` when the container stops or the pod goes away. */
export interface LogFollower {
  line(formatted: LogLine): void;
  end(): void;
  /** Cuts the connection abruptly, without a clean end (fault injection). */
  drop?(): void;
}

class LineRing {
  private readonly lines: Array<LogLine | undefined>;
  private start = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.lines = new Array<LogLine | undefined>(capacity);
  }

  push(line: LogLine): void {
    if (this.size === this.capacity) {
      this.lines[this.start] = line;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.lines[(this.start + this.size) % this.capacity] = line;
      this.size++;
    }
  }

  toArray(): LogLine[] {
    const result: LogLine[] = [];
    for (let i = 0; i < this.size; i++) {
      const line = this.lines[(this.start + i) % this.capacity];
      if (line) result.push(line);
    }
    return result;
  }
}

interface ContainerLog {
  current: LineRing;
  previous: LineRing | undefined;
  followers: Set<LogFollower>;
}

/** Formats a line as the log endpoint returns it. */
export function formatLogLine(line: LogLine, timestamps: boolean | undefined): string {
  return timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`;
}

/** Converts a Date to RFC 3339 with nanosecond precision (`2026-11-26T20:00:00.123000000Z`). */
export function toNanoTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** All container logs, keyed by pod uid and container name. */
export class ContainerLogs {
  private readonly logs = new Map<string, ContainerLog>();

  constructor(private readonly linesPerContainer = 500) {}

  /** Appends a line and hands it to followers. */
  append(podUid: string, container: string, text: string, at: Date): void {
    const log = this.logFor(podUid, container);
    const line: LogLine = { time: toNanoTime(at), epochMs: at.getTime(), text };
    log.current.push(line);
    for (const follower of log.followers) follower.line(line);
  }

  /** Starts a new instance of a container (after a crash): current lines become `previous`. */
  restart(podUid: string, container: string): void {
    const log = this.logFor(podUid, container);
    log.previous = log.current;
    log.current = new LineRing(this.linesPerContainer);
  }

  /** Returns the lines a non-following read returns. */
  read(podUid: string, container: string, options: LogReadOptions = {}): LogLine[] {
    const log = this.logs.get(`${podUid}/${container}`);
    const ring = options.previous ? log?.previous : log?.current;
    let lines = ring?.toArray() ?? [];
    if (options.sinceEpochMs !== undefined) {
      const since = options.sinceEpochMs;
      lines = lines.filter((line) => line.epochMs >= since);
    }
    if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines);
    return lines;
  }

  /** Subscribes to new lines of a container; returns the unsubscribe function. */
  follow(podUid: string, container: string, follower: LogFollower): () => void {
    const log = this.logFor(podUid, container);
    log.followers.add(follower);
    return () => log.followers.delete(follower);
  }

  /** Ends every follower of a container (it stopped). */
  endFollowers(podUid: string, container: string): void {
    const log = this.logs.get(`${podUid}/${container}`);
    if (!log) return;
    for (const follower of log.followers) follower.end();
    log.followers.clear();
  }

  /** Cuts every follow connection abruptly (a kubelet or node going away); returns how many were cut. */
  dropFollowers(): number {
    let count = 0;
    for (const log of this.logs.values()) {
      for (const follower of log.followers) {
        count++;
        (follower.drop ?? follower.end)();
      }
      log.followers.clear();
    }
    return count;
  }

  /** Forgets a pod's logs (it was deleted), ending its followers. */
  dropPod(podUid: string): void {
    for (const [key, log] of this.logs) {
      if (!key.startsWith(`${podUid}/`)) continue;
      for (const follower of log.followers) follower.end();
      this.logs.delete(key);
    }
  }

  private logFor(podUid: string, container: string): ContainerLog {
    const key = `${podUid}/${container}`;
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = { current: new LineRing(this.linesPerContainer), previous: undefined, followers: new Set() }));
    return log;
  }
}
