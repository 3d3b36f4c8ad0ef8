/**
 * Fault injection for tests of code that talks to the cluster: broken watch connections,
 * compacted history (410 Gone), cut log streams, and failing or throttled list requests.
 */
import { ApiError } from './errors.ts';

/** Status codes {@link FaultInjector.failNextLists} can produce. */
export type ListFailureCode = 500 | 429;

/** What the injector needs from the running cluster. */
export interface FaultTargets {
  /** Destroys every open watch connection; returns how many there were. */
  dropWatches(): number;
  /** Discards the retained change history. */
  expireHistory(): void;
  /** Destroys every open `pods/log?follow=true` connection; returns how many there were. */
  dropLogStreams(): number;
  /** Makes the simulated traffic of a namespace ignore (or again follow) its routers' weights. */
  ignoreRouterWeights(namespace: string, on: boolean): void;
}

/** The `faults` property of the cluster handle. */
export class FaultInjector {
  private readonly listFailures: ApiError[] = [];

  constructor(private readonly targets: FaultTargets) {}

  /** Closes all open watch connections abruptly (mid-stream, no clean end); returns how many were closed. */
  dropWatches(): number {
    return this.targets.dropWatches();
  }

  /**
   * A router that does not do what it reads back: the simulated traffic of the namespace's apps
   * all goes to the first destination of their VirtualService or HTTPRoute (stable), whatever
   * the weights say, until called again with `on` false.
   */
  ignoreRouterWeights(namespace: string, on = true): void {
    this.targets.ignoreRouterWeights(namespace, on);
  }

  /** Cuts every open log follow connection abruptly (as when a node goes away); returns how many were cut. */
  dropLogStreams(): number {
    return this.targets.dropLogStreams();
  }

  /** Discards the retained change history, so watching or paginating from any earlier resourceVersion gets 410 Gone. */
  expireHistory(): void {
    this.targets.expireHistory();
  }

  /**
   * Makes the next `count` list requests fail: 500 InternalError, or 429 TooManyRequests
   * with a `Retry-After` header (default 1 second).
   */
  failNextLists(count: number, code: ListFailureCode = 500, options: { retryAfterSeconds?: number } = {}): void {
    for (let i = 0; i < count; i++) {
      if (code === 429) {
        const retryAfterSeconds = options.retryAfterSeconds ?? 1;
        this.listFailures.push(new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }));
      } else {
        this.listFailures.push(new ApiError(500, 'InternalError', 'Internal error occurred: injected list failure'));
      }
    }
  }

  /** How many injected list failures are still pending. */
  get pendingListFailures(): number {
    return this.listFailures.length;
  }

  /** Removes every pending injected failure. */
  reset(): void {
    this.listFailures.length = 0;
  }

  /** Called by the list route: returns the error to answer with, if a failure is pending. */
  takeListFailure(): ApiError | undefined {
    return this.listFailures.shift();
  }
}
