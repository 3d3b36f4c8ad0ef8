import type { Server as HttpServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Principal } from '../services/access/policy.ts';
import { authenticate } from '../services/identity/service.ts';
import { bearerToken } from '../services/identity/tokens.ts';
import { DomainError } from '../services/shared/errors.ts';
import type { GantryConfig } from './config.ts';
import { buildContext, subscriptionEventContexts, type ContextDeps, type GraphQLContext } from './context.ts';
import { documentTooLarge, limitRules, parseOptions } from './limits.ts';
import type { Metrics } from './metrics.ts';
import { authenticateHost } from '../services/vms/host-auth.ts';
import { CLOSE_TOO_MANY_CONNECTIONS, limitExceeded, rateLimitMessage, type PrincipalLimiters } from './principal-limits.ts';
import { BatchedSocket, batchSocketWrites, sharedPayload } from './socket-writes.ts';
import { createEventExecutor } from './subscription-events.ts';
import { keepSocketsAlive } from './keep-alive.ts';
import { serveGraphqlWs } from './ws-adapter.ts';

export interface WebSocketDeps {
  schema: GraphQLSchema;
  config: GantryConfig;
  context: ContextDeps;
  metrics: Metrics;
  limiters: PrincipalLimiters;
  logger: Logger;
  formatError: (formatted: GraphQLFormattedError, error: unknown, requestId: string | null) => GraphQLFormattedError;
}

/** Per-connection state kept by graphql-ws in `ctx.extra`. */
interface ConnectionExtra {
  principal?: Principal;
  authorization?: string;
  connectionId?: string;
  /** Ids of this connection's live subscriptions, for the active-subscriptions gauge. */
  subscriptions?: Map<string, string>;
  [key: PropertyKey]: unknown;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** How long a connection may take to send connection_init (graphql-ws' default). */
const INIT_WAIT_MS = 3_000;

/** WebSocket close code 1013 Try Again Later (RFC 6455 registry): graphql-ws clients retry it. */
const TRY_AGAIN_LATER = 1013;

/** How many distinct documents the parse-and-validate cache keeps. */
const DOCUMENT_CACHE_SIZE = 500;

/**
 * Parsed and validated documents by their text. Validation depends only on the text and the
 * server's configuration, and a thousand consoles opening the same subscription should not
 * parse it a thousand times. Sharing the document object also lets their events share one
 * execution (see subscription-events.ts). Least recently used entries go first.
 */
function documentCache(schema: GraphQLSchema, rules: ReturnType<typeof limitRules>, limits: GantryConfig['limits']) {
  const entries = new Map<string, DocumentNode | readonly GraphQLError[]>();
  return (query: string): DocumentNode | readonly GraphQLError[] => {
    let entry = entries.get(query);
    if (entry) {
      entries.delete(query);
    } else {
      entry = parseAndValidate(schema, rules, limits, query);
      if (entries.size >= DOCUMENT_CACHE_SIZE) entries.delete(entries.keys().next().value!);
    }
    entries.set(query, entry);
    return entry;
  };
}

function parseAndValidate(schema: GraphQLSchema, rules: ReturnType<typeof limitRules>, limits: GantryConfig['limits'], query: string): DocumentNode | readonly GraphQLError[] {
  let document;
  try {
    document = parse(query, parseOptions(limits));
  } catch (error) {
    return [badInput(error instanceof GraphQLError ? error.message : 'Syntax error')];
  }
  const errors = validate(schema, document, rules);
  return errors.length > 0 ? errors.map((e) => badInput(e.message)) : document;
}

/**
 * graphql-ws on the HTTP server's `/graphql` path. Authentication happens in `connection_init`
 * (`{ authorization: "Bearer …" }`): a missing or bad token closes the socket with 4403, as the
 * protocol prescribes for a refused `onConnect`. Every operation then passes the same size,
 * token, depth, alias, cost and introspection limits as HTTP.
 */
export function attachWebSocketServer(httpServer: HttpServer, deps: WebSocketDeps) {
  const { config, metrics, limiters, logger } = deps;
  const { maxSubscriptionsPerConnection } = limiters.limits;
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.limits.maxBodyBytes, WebSocket: BatchedSocket });
  const rules = [...specifiedRules, ...limitRules(config.limits, { introspection: config.introspection })];
  const documentOf = documentCache(deps.schema, rules, config.limits);
  const formatAll = (errors: readonly GraphQLError[], requestId: string | null) => errors.map((e) => deps.formatError(e.toJSON(), e, requestId));

  const releaseAll = (live: Map<string, string>) => {
    for (const name of live.values()) metrics.activeSubscriptions.dec({ operation: name });
    live.clear();
  };

  /**
   * The token could not be checked (the database failed): 1013 Try Again Later, which graphql-ws
   * clients retry, unlike 4403, which tells them the token is bad. graphql-ws then closes with
   * 4403 itself, but a socket already closing keeps its first code. Neither the reason nor the
   * log says more than the error's code: the failed query carried the token's hash.
   */
  const closeRetryable = (socket: { close(code: number, reason: string): void }, error: unknown) => {
    logger.warn({ code: (error as { code?: unknown } | null)?.code ?? null }, 'websocket: could not check a token; closing with 1013');
    socket.close(TRY_AGAIN_LATER, 'Try again later');
  };

  /**
   * What a connection's close must undo, kept here rather than in a once() listener (a bound
   * wrapper, its state and a closure each) per thing to undo: with thousands of idle
   * subscribers, every listener a socket holds for its whole life counts.
   */
  const toUndo = new WeakMap<WebSocket, { release?: () => void; live?: Map<string, string> }>();
  const initialised = new WeakSet<WebSocket>();
  /** graphql-ws' own init timeout kept its fired Timeout (and closure) for the connection's life. */
  const closeUninitialised = (socket: WebSocket) => {
    if (!initialised.has(socket) && socket.readyState === socket.OPEN) socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
  };
  function closed(this: WebSocket): void {
    metrics.openWebSockets.dec();
    const undo = toUndo.get(this);
    undo?.release?.();
    if (undo?.live) releaseAll(undo.live);
  }
  const undoOf = (socket: WebSocket) => {
    let undo = toUndo.get(socket);
    if (!undo) toUndo.set(socket, (undo = {}));
    return undo;
  };

  wss.on('connection', (socket, request) => {
    batchSocketWrites(socket, request.socket);
    metrics.openWebSockets.inc();
    socket.on('close', closed);
    setTimeout(closeUninitialised, INIT_WAIT_MS, socket).unref();
  });

  // graphql-ws' protocol through server/ws-adapter.ts (its use/ws adapter kept each subscribe message).
  const disposable = serveGraphqlWs<Record<string, unknown>, ConnectionExtra>(
    {
      schema: deps.schema,
      // Close reasons never carry an internal error's message (it may hold a caller's value): the adapter's never do.
      subscribe: createEventExecutor<GraphQLContext>(subscriptionEventContexts),
      // Ours instead (above): one that lets go of the connection once it has fired.
      connectionInitWaitTimeout: 0,
      onConnect: async (ctx) => {
        initialised.add(ctx.extra.socket);
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof raw === 'string' ? raw : undefined;
        try {
          const token = bearerToken(authorization);
          const host = await authenticateHost(deps.context.db, token);
          const principal = host ? null : await authenticate(deps.context.db, token, deps.context.clock);
          if (!principal && !host) return false;
          const release = limiters.connections.acquire(principal ? principal.tokenId : `vm-host:${host!.hostId}`);
          if (!release) {
            metrics.limitRefusals.inc({ limit: 'connections_per_token' });
            // Closing first makes graphql-ws' own 4403 for `false` a no-op on the closing socket.
            ctx.extra.socket.close(CLOSE_TOO_MANY_CONNECTIONS, `Too many connections for this token (GANTRY_MAX_CONNECTIONS_PER_TOKEN=${limiters.limits.maxConnectionsPerToken})`);
            return false;
          }
          // A socket that closed while its token was checked has had its close already.
          if (ctx.extra.socket.readyState === ctx.extra.socket.CLOSED) release();
          else undoOf(ctx.extra.socket).release = release;
          if (principal) ctx.extra.principal = principal;
          ctx.extra.authorization = authorization;
          // A flat 16-character string: randomUUID() gives a rope of 15 concatenated pieces
          // (about 500 bytes) that every connection kept for its whole life.
          ctx.extra.connectionId = randomBytes(12).toString('base64url');
          // graphql-ws keeps the upgrade request in `extra` for the connection's whole life; nothing
          // reads it after connection_init (credentials come in connectionParams), and with thousands
          // of sockets its headers and parser state are a good part of each one's memory.
          (ctx.extra as { request?: unknown }).request = undefined;
          return true;
        } catch (error) {
          // A bad token is a DomainError (4403); anything else means the token could not be checked.
          if (!(error instanceof DomainError)) closeRetryable(ctx.extra.socket, error);
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        // graphql-ws has already registered this id: every other key is an operation in progress.
        if (Object.keys(ctx.subscriptions).length - 1 >= maxSubscriptionsPerConnection) {
          metrics.limitRefusals.inc({ limit: 'subscriptions_per_connection' });
          return [
            limitExceeded(
              `Too many operations in progress on this connection: at most ${maxSubscriptionsPerConnection}; complete one or open another connection`,
              'GANTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION',
            ),
          ];
        }
        // Before parsing and validating: a caller over its rate costs nothing more.
        const retryAfter = ctx.extra.principal ? limiters.operations.take(ctx.extra.principal.tokenId) : 0;
        if (retryAfter > 0) {
          metrics.limitRefusals.inc({ limit: 'operations_per_second' });
          return [limitExceeded(rateLimitMessage(retryAfter, limiters.limits), 'GANTRY_MAX_OPERATIONS_PER_SECOND', retryAfter)];
        }
        const tooLarge = documentTooLarge(payload.query, config.limits);
        if (tooLarge) return [badInput(tooLarge)];
        const document = documentOf(payload.query);
        if (!('kind' in document)) return document;
        const requestId = `ws-${ctx.extra.connectionId ?? 'anon'}-${id}`;
        let contextValue;
        try {
          // Re-authenticating per operation means a revoked or expired token stops new operations.
          contextValue = await buildContext(deps.context, ctx.extra.authorization, requestId);
        } catch (error) {
          if (error instanceof DomainError) {
            ctx.extra.socket.close(CloseCode.Forbidden, 'Forbidden');
            return [new GraphQLError('Token no longer valid', { extensions: { code: 'UNAUTHENTICATED' } })];
          }
          closeRetryable(ctx.extra.socket, error);
          return [new GraphQLError('Could not check the token; retry', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        }
        const operationAST = getOperationAST(document, payload.operationName);
        const operation = operationAST?.operation ?? 'query';
        // The document validated and the connection is authenticated: its name may become a label.
        const name = metrics.operationLabels.label(operationAST?.name?.value ?? payload.operationName, operationAST !== null);
        if (operation === 'subscription') {
          const live = (ctx.extra.subscriptions ??= new Map());
          if (live.size === 0) undoOf(ctx.extra.socket).live = live;
          live.set(id, name);
          metrics.activeSubscriptions.inc({ operation: name });
          if (ctx.extra.socket.readyState === ctx.extra.socket.CLOSED) releaseAll(live);
        }
        return {
          schema: deps.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return sharedPayload(result);
        return { ...result, errors: formatAll(result.errors, String((args.contextValue as { requestId?: string }).requestId)) };
      },
      onError: (_ctx, _id, _payload, errors) => formatAll(errors, null),
      onOperation: (_ctx, _id, payload, args) => {
        const operationAST = getOperationAST(args.document, payload.operationName);
        const label = metrics.operationLabels.label(operationAST?.name?.value ?? payload.operationName);
        metrics.requests.inc({ operation: label, type: operationAST?.operation ?? 'query', transport: 'websocket', outcome: 'started' });
      },
      onComplete: (ctx, id) => {
        const name = ctx.extra.subscriptions?.get(id);
        if (name === undefined) return;
        ctx.extra.subscriptions!.delete(id);
        metrics.activeSubscriptions.dec({ operation: name });
      },
    },
    wss,
    logger,
  );
  const stopKeepAlive = keepSocketsAlive(wss);

  return {
    wss,
    /** Closes every socket with 1001 (Going Away) and stops accepting new ones. */
    async close(): Promise<void> {
      stopKeepAlive();
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await Promise.resolve(disposable.dispose()).catch((error: unknown) => logger.warn({ err: error }, 'websocket dispose failed'));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

