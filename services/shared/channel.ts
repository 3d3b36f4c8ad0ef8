/**
 * A push-to-pull bridge: producers `push` values, one consumer iterates them. Used to turn
 * cache callbacks into the AsyncIterator a GraphQL subscription returns. `return()` (the client
 * unsubscribed) runs the cleanup, so no listener outlives its subscriber.
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failWaiting: ((error: unknown) => void) | null = null;
  private done = false;
  private failure: unknown = null;
  private readonly cleanups: (() => void)[] = [];

  /** Runs `cleanup` when the channel ends, however it ends. */
  onClose(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = null;
      resolve({ value, done: false });
    } else {
      this.queue.push(value);
    }
  }

  /**
   * Like {@link push} for a stream of whole states (each value supersedes the ones before): a
   * value still queued, not yet taken by the consumer, is dropped for this one. A consumer that
   * fell behind then gets the newest state next instead of working through stale ones.
   */
  pushLatest(value: T): void {
    if (!this.done && !this.waiting) this.queue.length = 0;
    this.push(value);
  }

  /** Ends the stream after the queued values. */
  close(): void {
    this.finish();
    if (this.waiting && this.queue.length === 0) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  /** Ends the stream with an error, delivered after the queued values. */
  fail(error: unknown): void {
    this.failure = error;
    this.finish();
    if (this.failWaiting && this.queue.length === 0) {
      const reject = this.failWaiting;
      this.waiting = this.failWaiting = null;
      reject(error);
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.done) {
      if (this.failure !== null) {
        const error = this.failure;
        this.failure = null;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.fail(error);
    return this.next();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // a failing cleanup must not keep the others from running
      }
    }
  }
}
