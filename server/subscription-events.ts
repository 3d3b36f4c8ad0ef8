import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

/** Per event: a context for executing it (fresh DataLoaders), and who may share its result. */
export interface EventContexts<C> {
  /** The subscription's context with nothing cached from earlier events. */
  forEvent(context: C): C;
  /** Subscribers with the same key see the same data (the same token): they may share one result. */
  viewerKey(context: C): string;
  /**
   * The subscription has started (its access checked, its source stream made): the context may
   * drop what it cached for that (its DataLoaders), which would otherwise live as long as the
   * subscription, unused, since every event gets its own.
   */
  started?(context: C): void;
}

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * How subscription events become results, replacing graphql-js' `subscribe` in graphql-ws.
 *
 * graphql-js executes the selection once per subscriber and event, with the context made when
 * the subscription began: its DataLoaders would answer `release { status }` from the first
 * event's cache for as long as the subscription lives. Here each event is executed with fresh
 * loaders, and only once per cohort (subscribers that sent the same document, operation and
 * variables under the same token; Hasura calls this multiplexing). A thousand dashboards of one
 * release-bot token then cost one execution per event, not a thousand. Results are shared
 * objects: nothing downstream may mutate them (graphql-ws only serialises them, and
 * `onNext` copies before formatting errors).
 *
 * Sharing needs the event to be one object handed to every subscriber, as the release feed and
 * the workload publisher do; other events are executed per subscriber as before.
 */
export function createEventExecutor<C>(contexts: EventContexts<C>) {
  /** Results by event object, then by cohort. Weak: an event nobody holds any more frees its results. */
  const results = new WeakMap<object, Map<string, Result>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;

  const cohortOf = (args: ExecutionArgs): string => {
    let id = documentIds.get(args.document);
    if (id === undefined) documentIds.set(args.document, (id = ++nextDocumentId));
    // One flat string: a template literal made a tree of sixteen concatenated pieces that every
    // subscription kept for its whole life (about 650 bytes, against 130 flat).
    return JSON.stringify([id, args.operationName ?? '', args.variableValues ?? {}, contexts.viewerKey(args.contextValue as C)]);
  };

  const executeEvent = (args: ExecutionArgs, event: unknown): Result =>
    execute({ ...args, rootValue: event, contextValue: contexts.forEvent(args.contextValue as C) });

  return async function subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    contexts.started?.(args.contextValue as C);
    if (!isAsyncIterable(source)) return source;
    const cohort = cohortOf(args);
    return new MappedEvents(source, (event) => {
      if (typeof event !== 'object' || event === null) return executeEvent(args, event);
      let byCohort = results.get(event);
      if (!byCohort) results.set(event, (byCohort = new Map()));
      let result = byCohort.get(cohort);
      if (!result) {
        result = executeEvent(args, event);
        byCohort.set(cohort, result);
      }
      return result;
    });
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * The source stream, each value mapped. Ending, failing and `return()` pass through to the
 * source so its cleanup (listeners, access monitors) runs however the subscriber leaves.
 * A class, not an object literal of closures: every subscription holds one for its whole life,
 * and the literal made six closures each (and a `[Symbol.asyncIterator]` name string per
 * closure), a sizeable part of an idle subscription's heap (bench/RESULTS.md).
 */
class MappedEvents implements AsyncIterableIterator<ExecutionResult> {
  private readonly iterator: AsyncIterator<unknown>;

  constructor(
    source: AsyncIterable<unknown>,
    private readonly map: (event: unknown) => Result,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  // Plain promise chains, not async functions: with a thousand subscribers every saved
  // microtask hop per event is a thousand hops before the last frame goes out.
  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.iterator.next().then((step): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> => {
      if (step.done) return { done: true, value: undefined };
      let result: Result;
      try {
        result = this.map(step.value);
      } catch (error) {
        return this.fail(error);
      }
      return result instanceof Promise ? result.then((value) => ({ done: false, value }), (error: unknown) => this.fail(error)) : { done: false, value: result };
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async close(): Promise<void> {
    await this.iterator.return?.();
  }

  private fail(error: unknown): Promise<never> {
    return this.close().then(
      () => Promise.reject(error),
      () => Promise.reject(error),
    );
  }
}
