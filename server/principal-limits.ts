import { GraphQLError } from 'graphql';
import type { PrincipalLimits } from './config.ts';

/** How often idle buckets and closed tokens are swept out of memory. */
const SWEEP_INTERVAL_MS = 10_000;

interface Bucket {
  tokens: number;
  /** performance.now() of the last refill. */
  at: number;
}

/**
 * A token bucket per API token: `burst` operations at once, refilled at `perSecond`. One
 * instance serves HTTP and WebSocket alike, so a caller cannot double its rate by mixing them.
 * Buckets that have refilled completely carry no information and are dropped, so memory stays
 * proportional to the tokens active in the last few seconds.
 */
export class OperationRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = performance.now();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /**
   * Takes one operation from `key`'s bucket.
   * @returns 0 when allowed, else the whole seconds to wait before the next one is (Retry-After).
   */
  take(key: string): number {
    const now = performance.now();
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    }
  }
}

/** Open WebSocket connections per API token. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /**
   * Counts one more connection for `key` unless it already holds the maximum.
   * @returns a release function to call exactly once when the connection closes, or null when refused.
   */
  acquire(key: string): (() => void) | null {
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) return null;
    this.open.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }
}

/** The per-token limits of one server, shared by its HTTP handler and its WebSocket server. */
export function createPrincipalLimiters(limits: PrincipalLimits) {
  return {
    limits,
    operations: new OperationRateLimiter(limits.maxOperationsPerSecond, limits.operationsBurst),
    connections: new ConnectionCounter(limits.maxConnectionsPerToken),
  };
}

export type PrincipalLimiters = ReturnType<typeof createPrincipalLimiters>;

/**
 * WebSocket close code for a connection over GANTRY_MAX_CONNECTIONS_PER_TOKEN: 1008, the
 * standard "policy violation". graphql-ws clients treat 1008 as fatal and do not retry in a
 * loop (4429 is graphql-ws' own "too many initialisation requests", so it is not reused).
 */
export const CLOSE_TOO_MANY_CONNECTIONS = 1008;

/**
 * The error for an operation over a per-token limit. The contract's codes are closed and its
 * README files every limit violation under BAD_USER_INPUT; `extensions.limit` names the
 * variable and `retryAfterSeconds` says when to try again (HTTP also sends 429 and Retry-After).
 */
export function limitExceeded(message: string, limit: string, retryAfterSeconds?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', limit, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
  });
}

export function rateLimitMessage(retryAfterSeconds: number, limits: PrincipalLimits): string {
  return (
    `Too many operations for this token: at most ${limits.maxOperationsPerSecond} per second ` +
    `(bursts of ${limits.operationsBurst}); retry in ${retryAfterSeconds} s`
  );
}
