import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { ClusterDirectory } from '../services/cluster/directory.ts';
import { authenticate } from '../services/identity/service.ts';
import { bearerToken } from '../services/identity/tokens.ts';
import type { Principal } from '../services/access/policy.ts';
import { authenticateHost } from '../services/vms/host-auth.ts';
import type { VmHostPrincipal } from '../services/vms/service.ts';
import { createLoaders, type Loaders } from '../services/loaders.ts';
import type { RequestScope } from '../services/scope.ts';
import type { Clock } from '../services/shared/clock.ts';

/** The GraphQL context: a request scope for services plus a logger bound to the request id. */
export interface GraphQLContext extends RequestScope {
  log: Logger;
}

/** What the context factory needs from the running server; built once at start-up. */
export interface ContextDeps {
  db: Database;
  clock: Clock;
  clusters: ClusterDirectory;
  logger: Logger;
  releaseBus: RequestScope['releaseBus'];
  releaseFeeds: RequestScope['releaseFeeds'];
  logLines: RequestScope['logLines'];
  config: RequestScope['config'];
  cron: RequestScope['cron'];
  podLogs: RequestScope['podLogs'];
  builds: RequestScope['builds'];
  monitoring: RequestScope['monitoring'];
  alerts: RequestScope['alerts'];
  vms: RequestScope['vms'];
}

/**
 * Builds a context for one operation from its credentials. New loaders every time: caching
 * must never span requests or principals.
 * @throws UNAUTHENTICATED (a DomainError) for a bad token.
 */
export async function buildContext(
  deps: ContextDeps,
  authorization: string | undefined | null,
  requestId: string,
): Promise<GraphQLContext> {
  const token = bearerToken(authorization);
  // A VM host's token is no user's: it may do only the agent's operations (vmHost set, no principal).
  const vmHost = await authenticateHost(deps.db, token);
  if (vmHost) return new OperationContext(deps, null, requestId, null, vmHost);
  const principal = await authenticate(deps.db, token, deps.clock);
  return new OperationContext(deps, principal, requestId, null);
}

/** What an HTTP request's log line says about its GraphQL operation. */
export interface OperationRecord {
  operation: string;
  type: string;
  outcome: string;
}

/** Made on first use; one holder per context, shared with Apollo's copy of it. */
interface Lazy {
  loaders?: Loaders;
  log?: Logger;
  operation?: OperationRecord;
}

/**
 * The context of one operation. Its loaders and logger are made on first use: most operations
 * (`{ __typename }`, a subscription waiting for events) touch neither, and a subscription's
 * context lives as long as it does. Apollo executes with a shallow copy (`Object.assign` onto
 * the same prototype): the getters live on the prototype and the made-on-use parts in a holder
 * the copy shares, so copying makes nothing and both see the same loaders.
 */
class OperationContext implements GraphQLContext {
  private readonly lazy: Lazy = {};

  constructor(
    private readonly deps: ContextDeps,
    readonly principal: Principal | null,
    readonly requestId: string,
    /** The subscription whose event this context executes: its logger is this one's. */
    private readonly subscription: GraphQLContext | null,
    readonly vmHost: VmHostPrincipal | null = null,
  ) {}

  get db() {
    return this.deps.db;
  }
  get clock() {
    return this.deps.clock;
  }
  get clusters() {
    return this.deps.clusters;
  }
  get releaseBus() {
    return this.deps.releaseBus;
  }
  get releaseFeeds() {
    return this.deps.releaseFeeds;
  }
  get logLines() {
    return this.deps.logLines;
  }
  get podLogs() {
    return this.deps.podLogs;
  }
  get builds() {
    return this.deps.builds;
  }
  get config() {
    return this.deps.config;
  }
  get cron() {
    return this.deps.cron;
  }
  get monitoring() {
    return this.deps.monitoring;
  }
  get alerts() {
    return this.deps.alerts;
  }
  get vms() {
    return this.deps.vms;
  }
  get loaders(): Loaders {
    return (this.lazy.loaders ??= createLoaders(this.deps.db, this.principal));
  }
  get log(): Logger {
    return (this.lazy.log ??= this.subscription?.log ?? this.deps.logger.child({ requestId: this.requestId, user: this.principal?.login }));
  }

  /** A context for one event of this subscription: the same caller, new loaders. */
  forEvent(): OperationContext {
    return new OperationContext(this.deps, this.principal, this.requestId, this, this.vmHost);
  }

  /** Forgets the loaders made so far (their caches); new ones are made if asked for again. */
  forgetLoaders(): void {
    this.lazy.loaders = undefined;
  }

  record(operation: OperationRecord): void {
    this.lazy.operation = operation;
  }

  recorded(): OperationRecord | undefined {
    return this.lazy.operation;
  }
}

/** Notes which operation an HTTP request ran, for its one log line (see {@link operationOf}). */
export function recordOperation(context: GraphQLContext, operation: OperationRecord): void {
  if (context instanceof OperationContext) context.record(operation);
}

/** The operation recorded for the request of `context`, if GraphQL got that far. */
export function operationOf(context: GraphQLContext): OperationRecord | undefined {
  return context instanceof OperationContext ? context.recorded() : undefined;
}

/**
 * Contexts for the events of a long-lived subscription: the same caller, with DataLoaders made
 * for the event (loader caches must not outlive one event, or a subscription would keep
 * answering with the rows of its first one).
 */
export const subscriptionEventContexts = {
  forEvent: (context: GraphQLContext): GraphQLContext =>
    context instanceof OperationContext ? context.forEvent() : { ...context, loaders: createLoaders(context.db, context.principal) },
  /** Everything a result may depend on about the caller is fixed by the token it used. */
  viewerKey: (context: GraphQLContext): string => context.principal?.tokenId ?? (context.vmHost ? `vm-host:${context.vmHost.hostId}` : 'anonymous'),
  /** Twenty DataLoaders (their maps and closures) were half of what a subscription held (bench/RESULTS.md). */
  started: (context: GraphQLContext): void => {
    if (context instanceof OperationContext) context.forgetLoaders();
  },
};
