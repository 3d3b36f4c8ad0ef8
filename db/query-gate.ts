import type postgres from 'postgres';

/**
 * A FIFO of at most `size` statements (or transactions) in flight. postgres.js queues what its
 * pool cannot take at once in an array that leaves a hole at every shift and is only reset when
 * it drains, and removes with indexOf + splice: under sustained saturation the array never
 * drains, grows without bound, and every removal gets slower (bench/RESULTS.md). With this gate in
 * front, its queue never holds more than the pool can serve.
 */
export class QueryGate {
  private active = 0;
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly size: number) {}

  /** Statements running or waiting for a connection behind this gate (for tests and metrics). */
  get load(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiting.length - this.head };
  }

  async run<T>(task: () => PromiseLike<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      // The permit passes straight to the next in line: `active` stays as it is.
      const next = this.waiting[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
    } else {
      this.active -= 1;
    }
  }
}

/**
 * The client drizzle runs on, with every statement outside a transaction and every transaction
 * passing `gate` first (a transaction holds one connection from BEGIN to COMMIT, so it takes one
 * permit for all of it; its statements run on that connection without queueing again).
 */
export function withQueryGate(client: postgres.Sql, gate: QueryGate): postgres.Sql {
  const unsafe = (query: string, params?: unknown[], options?: unknown) => {
    const run = () => client.unsafe(query, params as never, options as never);
    // drizzle either awaits the pending query or calls .values() on it: support both, lazily.
    return {
      values: () => gate.run(() => run().values()),
      then: (resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) => gate.run(() => run()).then(resolve, reject),
    };
  };
  const begin = (...args: unknown[]) => gate.run(() => (client.begin as (...a: unknown[]) => Promise<unknown>)(...args));
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin') return begin;
      return Reflect.get(target, property, receiver);
    },
  });
}
