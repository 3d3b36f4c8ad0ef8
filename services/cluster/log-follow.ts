import { Writable } from 'node:stream';
import { Log, type KubeConfig } from '@kubernetes/client-node';
import { Backoff } from './backoff.ts';

/**
 * Where a pod's log has been read to: the kubelet timestamp of the last line taken and how many
 * lines carrying exactly that timestamp were taken (a stack trace's lines share one). A follow
 * started from a position skips everything up to and including that line, so reconnecting after
 * a drop, or another process taking over, neither loses nor repeats a line.
 */
export interface PodLogPosition {
  /** RFC 3339 with nanoseconds, as the kubelet prefixes lines with `timestamps=true`. */
  time: string;
  count: number;
}

/** One line of a pod's log, with the position just after it. */
export interface PodLogLine {
  at: Date;
  message: string;
  position: PodLogPosition;
}

/** Longest message kept; the rest of a longer line is dropped and the line marked. */
export const MAX_POD_LOG_MESSAGE = 64 * 1024;
const TRUNCATED = ' …[truncated]';

export interface PodLogTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface FollowPodLogOptions {
  kubeConfig: KubeConfig;
  target: PodLogTarget;
  /** Resume after this line; null reads the container's log from its start. */
  from: PodLogPosition | null;
  /**
   * Takes a batch of lines in order. A returned promise holds the stream (no more reads from
   * the connection) until it settles: the consumer's bounded buffer pushes back to the kubelet.
   */
  lines(lines: PodLogLine[]): void | Promise<void>;
  /** Asked when a connection ends: reconnect (the pod still runs) or finish. */
  keepFollowing(): boolean;
  /** The follow is over for good: `keepFollowing` said no, or it was stopped. */
  ended?(): void;
  /** A connection failed or dropped (for logs and metrics); the follow retries on its own. */
  failed?(error: Error): void;
}

/** A running follow: `stop` ends it (the connection is aborted). */
export interface PodLogFollow {
  stop(): void;
  /** The position after the last line delivered (null before the first). */
  readonly position: PodLogPosition | null;
}

/** `2026-01-01T00:00:00.5Z` → `2026-01-01T00:00:00.500000000`: comparable as a string. */
export function positionKey(time: string): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(time);
  if (match) return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}`;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? '' : positionKey(new Date(ms).toISOString());
}

/** The whole second a position lies in, as `sinceTime` (the kubelet reads it to the second). */
export function sinceTimeOf(position: PodLogPosition): string {
  return `${positionKey(position.time).slice(0, 19)}Z`;
}

/**
 * Splits a log byte stream into timestamped lines, cutting lines over the limit (memory stays
 * bounded whatever a container prints) and skipping what lies at or before `from`.
 */
export class PodLogParser {
  private partial = '';
  private discarding = false;
  private sameTime = 0;
  private key: string | null;

  constructor(private from: PodLogPosition | null) {
    this.key = from ? positionKey(from.time) : null;
  }

  /** The position after the last line returned. */
  get position(): PodLogPosition | null {
    return this.from;
  }

  /** Starts a new connection: counting of lines sharing the last timestamp starts again. */
  reconnected(): void {
    this.partial = '';
    this.discarding = false;
    this.sameTime = 0;
  }

  push(text: string): PodLogLine[] {
    const out: PodLogLine[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const piece = text.slice(start, newline === -1 ? undefined : newline);
      if (!this.discarding) this.partial += piece;
      if (this.partial.length > MAX_POD_LOG_MESSAGE + 64 && !this.discarding) {
        this.partial = this.partial.slice(0, MAX_POD_LOG_MESSAGE + 64);
        this.discarding = true;
      }
      if (newline === -1) break;
      const line = this.take(this.partial, this.discarding);
      if (line) out.push(line);
      this.partial = '';
      this.discarding = false;
      start = newline + 1;
    }
    return out;
  }

  private take(raw: string, cut: boolean): PodLogLine | null {
    const space = raw.indexOf(' ');
    if (space <= 0) return null;
    const time = raw.slice(0, space);
    const key = positionKey(time);
    if (!key) return null;
    if (this.key !== null && key < this.key) return null;
    if (this.key === key) {
      this.sameTime += 1;
      if (this.from && this.sameTime <= this.from.count) return null;
    } else {
      this.key = key;
      this.sameTime = 1;
    }
    let message = raw.slice(space + 1).replace(/\r$/, '');
    if (cut || message.length > MAX_POD_LOG_MESSAGE) message = message.slice(0, MAX_POD_LOG_MESSAGE - TRUNCATED.length) + TRUNCATED;
    this.from = { time, count: this.sameTime };
    return { at: new Date(Date.parse(`${key.slice(0, 23)}Z`)), message, position: this.from };
  }
}

/**
 * Follows one container's log through `@kubernetes/client-node`'s `Log` (`follow=true&
 * timestamps=true`), as for any cluster. When the connection ends or drops and the pod still
 * runs, it reconnects from the last line's second (`sinceTime`) and skips what it already
 * delivered; failures in a row back off (1 s → 10 s), a connection that worked retries at once.
 */
export function followPodLog(options: FollowPodLogOptions): PodLogFollow {
  const parser = new PodLogParser(options.from);
  const client = new Log(options.kubeConfig);
  let stopped = false;
  let controller: AbortController | null = null;
  const backoff = new Backoff({ maxMs: 10_000 });
  let retryTimer: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    if (stopped) return;
    parser.reconnected();
    let delivered = false;
    const done = new Promise<void>((resolve) => {
      const sink = new Writable({
        write: (chunk: Buffer, _encoding, callback) => {
          const lines = parser.push(chunk.toString('utf8'));
          if (lines.length === 0 || stopped) return callback();
          delivered = true;
          const held = options.lines(lines);
          if (held) held.then(() => callback(), () => callback());
          else callback();
        },
      });
      // 'unpipe' comes both on a clean end and when the response errors (a cut connection).
      sink.once('unpipe', () => resolve());
      sink.once('finish', () => resolve());
      const position = parser.position;
      client
        .log(options.target.namespace, options.target.pod, options.target.container, sink, {
          follow: true,
          timestamps: true,
          ...(position ? { sinceTime: sinceTimeOf(position) } : {}),
        })
        .then((abort) => {
          controller = abort;
          if (stopped) abort.abort();
        })
        .catch((error: unknown) => {
          options.failed?.(error instanceof Error ? error : new Error(String(error)));
          resolve();
        });
    });
    await done;
    controller = null;
    if (stopped) return;
    if (!options.keepFollowing()) {
      stopped = true;
      options.ended?.();
      return;
    }
    if (delivered) backoff.reset();
    const delay = delivered ? 50 : backoff.next();
    retryTimer = setTimeout(() => void connect(), delay);
    retryTimer.unref();
  };
  void connect();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      controller?.abort();
      options.ended?.();
    },
    get position() {
      return parser.position;
    },
  };
}
