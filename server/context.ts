import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { ClusterDirectory } from '../services/cluster/directory.ts';
import { authenticate } from '../services/identity/service.ts';
import { bearerToken } from '../services/identity/tokens.ts';
import { createLoaders } from '../services/loaders.ts';
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
  monitoring: RequestScope['monitoring'];
  alerts: RequestScope['alerts'];
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
  const principal = await authenticate(deps.db, bearerToken(authorization), deps.clock);
  return {
    db: deps.db,
    clock: deps.clock,
    clusters: deps.clusters,
    releaseBus: deps.releaseBus,
    releaseFeeds: deps.releaseFeeds,
    logLines: deps.logLines,
    monitoring: deps.monitoring,
    alerts: deps.alerts,
    principal,
    loaders: createLoaders(deps.db, principal),
    requestId,
    log: deps.logger.child({ requestId, user: principal?.login }),
  };
}

/**
 * Contexts for the events of a long-lived subscription: the same caller, with DataLoaders made
 * for the event (loader caches must not outlive one event, or a subscription would keep
 * answering with the rows of its first one).
 */
export const subscriptionEventContexts = {
  forEvent: (context: GraphQLContext): GraphQLContext => ({ ...context, loaders: createLoaders(context.db, context.principal) }),
  /** Everything a result may depend on about the caller is fixed by the token it used. */
  viewerKey: (context: GraphQLContext): string => context.principal?.tokenId ?? 'anonymous',
};
