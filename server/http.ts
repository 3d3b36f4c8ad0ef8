import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import { DomainError } from '../services/shared/errors.ts';
import type { RequestLimits } from './config.ts';
import type { ConsoleFiles } from './console.ts';
import { buildContext, operationOf, type ContextDeps, type GraphQLContext } from './context.ts';
import { anonymousOperation, documentTooLarge } from './limits.ts';
import type { Metrics } from './metrics.ts';
import { rateLimitMessage, type PrincipalLimiters } from './principal-limits.ts';
import { withRequestId } from './errors.ts';
import { requestIdFrom } from './request-id.ts';

export interface HttpDeps {
  apollo: ApolloServer<GraphQLContext>;
  context: ContextDeps;
  limits: RequestLimits;
  metrics: Metrics;
  limiters: PrincipalLimiters;
  /** GANTRY_METRICS_TOKEN: when set, /metrics is served here too, to that bearer only. */
  metricsToken: string | undefined;
  logger: Logger;
  /** /readyz: null when ready, else the reason. */
  readiness: () => Promise<string | null>;
  /** Endpoints of domains outside GraphQL (build webhooks, downloads), by path prefix. */
  routes?: HttpRoute[];
  /** POST /hooks/alertmanager: Alertmanager's webhook (server/alert-hook.ts). */
  alertHook?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The built web console at `/` and GraphiQL for browsers at GET /graphql (server/console.ts). */
  console?: ConsoleFiles;
}

/** A domain's HTTP endpoint: its DomainErrors are answered like the server's own refusals. */
export interface HttpRoute {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void>;
}

const DOMAIN_ERROR_STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, CONFLICT: 409 };

/** A failure answered before GraphQL runs (bad body, wrong method…), in GraphQL's error shape. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly code = 'BAD_USER_INPUT',
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What a request's log line adds once GraphQL ran: the caller and the operation. */
interface Served {
  context?: GraphQLContext;
}

/**
 * The one HTTP handler: /graphql (Apollo through its documented `executeHTTPGraphQLRequest`),
 * /healthz, /readyz and /metrics. Every response carries `x-request-id`, also in the request's
 * one log line, which names the caller and the operation when GraphQL ran.
 */
export function createHttpHandler(deps: HttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const started = performance.now();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://gantry.invalid');
    const route = ['/graphql', '/healthz', '/readyz', '/metrics', '/hooks/alertmanager'].includes(url.pathname) ? url.pathname : 'other';
    const served: Served = {};
    serve(deps, req, res, url, requestId, served)
      .catch((error: unknown) => {
        if (error instanceof HttpProblem) return sendProblem(res, error);
        deps.logger.error({ err: error, requestId }, 'unhandled error serving request');
        return sendProblem(res, new HttpProblem(500, `Internal server error; quote request id ${requestId}`, {}, 'INTERNAL_SERVER_ERROR'));
      })
      .finally(() => {
        deps.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
        if (route !== '/healthz' && route !== '/metrics') {
          const context = served.context;
          deps.logger.info(
            {
              requestId,
              method: req.method,
              path: url.pathname,
              status: res.statusCode,
              ms: Math.round(performance.now() - started),
              ...(context?.principal ? { user: context.principal.login } : {}),
              ...(context ? operationOf(context) : {}),
            },
            'http request',
          );
        }
      });
  };
}

async function serve(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, served: Served): Promise<void> {
  if (deps.console?.claims(req, url.pathname)) return deps.console.serve(req, res, url.pathname);
  switch (url.pathname) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz': {
      const reason = await deps.readiness();
      return sendJson(res, reason ? 503 : 200, reason ? { status: 'unavailable', reason } : { status: 'ready' });
    }
    case '/metrics':
      // Served on its own listener (GANTRY_METRICS_PORT); here only to the GANTRY_METRICS_TOKEN bearer.
      if (!deps.metricsToken || !sameSecret(req.headers.authorization, `Bearer ${deps.metricsToken}`)) {
        throw new HttpProblem(404, 'No route for /metrics; the API is at /graphql');
      }
      return sendMetrics(deps.metrics, res);
    case '/graphql':
      if (deps.console?.wantsExplorer(req, url)) return deps.console.serveExplorer(req, res);
      return serveGraphQL(deps, req, res, url, requestId, served);
    case '/hooks/alertmanager':
      if (!deps.alertHook) throw new HttpProblem(404, 'No route for /hooks/alertmanager');
      return deps.alertHook(req, res);
    default: {
      const route = deps.routes?.find((r) => url.pathname.startsWith(r.prefix));
      if (!route) throw new HttpProblem(404, `No route for ${url.pathname}; the API is at /graphql`);
      try {
        return await route.handle(req, res, url.pathname, requestId);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'INTERNAL_SERVER_ERROR') throw error;
        const status = typeof error.details.status === 'number' ? error.details.status : (DOMAIN_ERROR_STATUS[error.code] ?? 400);
        const { status: _status, ...extensions } = error.details;
        throw new HttpProblem(status, error.message, error.code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer' } : {}, error.code, extensions);
      }
    }
  }
}

async function serveGraphQL(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, served: Served) {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    throw new HttpProblem(405, `Method ${method} not allowed on /graphql; use GET or POST`, { allow: 'GET, POST' });
  }
  const body = method === 'POST' ? await readJsonBody(req, deps.limits.maxBodyBytes) : undefined;
  const query = method === 'POST' ? (body as { query?: unknown } | undefined)?.query : url.searchParams.get('query');
  const tooLarge = documentTooLarge(query, deps.limits);
  if (tooLarge) throw new HttpProblem(413, tooLarge);
  const operationName = method === 'POST' ? (body as { operationName?: unknown } | undefined)?.operationName : url.searchParams.get('operationName');
  const context = await admit(deps, req, query, operationName, requestId);
  served.context = context;

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: async () => context,
  });
  // Answers depend on the caller's token: never stored by a cache (Gantry declares no cache hints).
  res.setHeader('cache-control', 'no-store');
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.status !== undefined && result.status >= 400 ? stampedBody(result.body.string, requestId) : result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * Who may run this operation, decided before any GraphQL work: a bad token is refused (401),
 * a request without one is refused unless it is pure introspection (401, before validation,
 * which is the expensive part), and a token over its operation rate is refused (429 with
 * Retry-After). Refusals are counted like operations, under a bounded operation label.
 * @returns the request's context.
 */
async function admit(deps: HttpDeps, req: IncomingMessage, query: unknown, operationName: unknown, requestId: string): Promise<GraphQLContext> {
  let context: GraphQLContext;
  try {
    context = await buildContext(deps.context, req.headers.authorization, requestId);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    throw new HttpProblem(error.code === 'UNAUTHENTICATED' ? 401 : 400, error.message, {}, error.code, { ...error.details });
  }
  const refused = (limit: string, type: string, name: unknown, outcome: string) => {
    deps.metrics.limitRefusals.inc({ limit });
    deps.metrics.requests.inc({ operation: deps.metrics.operationLabels.label(typeof name === 'string' ? name : null), type, transport: 'http', outcome });
  };
  // A VM host's agent: its requests go to the resolvers, which give it its own operations only.
  if (context.vmHost) {
    const retryAfter = deps.limiters.operations.take(`vm-host:${context.vmHost.hostId}`);
    if (retryAfter > 0) {
      refused('operations_per_second', 'unknown', operationName, 'BAD_USER_INPUT');
      throw new HttpProblem(429, rateLimitMessage(retryAfter, deps.limiters.limits), { 'retry-after': String(retryAfter) }, 'BAD_USER_INPUT', {});
    }
    return context;
  }
  if (!context.principal) {
    const anonymous = anonymousOperation(query, operationName);
    if (!anonymous.allowed) {
      refused('anonymous', anonymous.type, anonymous.name, 'UNAUTHENTICATED');
      throw new HttpProblem(
        401,
        'Authentication required: send Authorization: Bearer <token> (without a token only introspection is answered)',
        { 'www-authenticate': 'Bearer' },
        'UNAUTHENTICATED',
      );
    }
    return context;
  }
  const retryAfter = deps.limiters.operations.take(context.principal.tokenId);
  if (retryAfter > 0) {
    refused('operations_per_second', 'unknown', operationName, 'BAD_USER_INPUT');
    throw new HttpProblem(429, rateLimitMessage(retryAfter, deps.limiters.limits), { 'retry-after': String(retryAfter) }, 'BAD_USER_INPUT', {
      limit: 'GANTRY_MAX_OPERATIONS_PER_SECOND',
      retryAfterSeconds: retryAfter,
    });
  }
  return context;
}

/**
 * An error answer of Apollo's with the request id on its errors: those of operations already
 * have it (see `withRequestId` in graphql.ts), but requests Apollo refuses before its request
 * pipeline (no query, a bad variables object) never reach a plugin. Error answers only: parsing
 * every response to find errors would cost what stamping them saves.
 */
function stampedBody(body: string, requestId: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return body;
    return `${JSON.stringify({ ...parsed, errors: withRequestId(parsed.errors, requestId) })}\n`;
  } catch {
    return body;
  }
}

/** Compares a presented credential with the expected one in constant time (over their digests). */
function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

async function sendMetrics(metrics: Metrics, res: ServerResponse): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType });
  res.end(text);
}

/**
 * The handler of the metrics-only listener (GANTRY_METRICS_PORT, loopback by default): GET
 * /metrics and nothing else, so the scrape endpoint is reachable only where the operator
 * chooses, never from wherever the API is.
 */
export function createMetricsHandler(metrics: Metrics, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://gantry.invalid').pathname;
    if (path !== '/metrics') return sendJson(res, 404, { error: 'only /metrics is served here' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: 'use GET' });
    }
    sendMetrics(metrics, res).catch((error: unknown) => {
      logger.error({ err: error }, 'collecting metrics failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'collecting metrics failed' });
      else res.destroy();
    });
  };
}

/** Reads and parses a JSON body, refusing other content types, oversized and malformed bodies. */
async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== 'application/graphql-response+json') {
    req.resume();
    throw new HttpProblem(415, `Unsupported Content-Type "${type || '(none)'}"; send application/json`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    throw new HttpProblem(413, `Request body over ${maxBytes} bytes (GANTRY_MAX_BODY_BYTES)`);
  }
  // Plain 'data'/'end' listeners: an async iterator over the request costs more than the body it reads.
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const received: Buffer[] = [];
    let size = 0;
    let ended = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpProblem(413, `Request body over ${maxBytes} bytes (GANTRY_MAX_BODY_BYTES)`));
      } else {
        received.push(chunk);
      }
    });
    req.once('end', () => {
      ended = true;
      resolve(received);
    });
    req.once('error', reject);
    // A client gone before the end of its body: nothing to answer. Every request closes, and an
    // error made for nothing (its stack captured) was 4 % of a `{ __typename }` request's CPU.
    req.once('close', () => {
      if (!ended) reject(new HttpProblem(400, 'Request body incomplete'));
    });
  });
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, 'Malformed JSON body');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Errors outside GraphQL execution still use the GraphQL error shape and a contract code. */
function sendProblem(res: ServerResponse, problem: HttpProblem): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
  const requestId = res.getHeader('x-request-id');
  const status = problem.status;
  const code = status === 404 ? 'NOT_FOUND' : problem.code;
  sendJson(res, status, { errors: [{ message: problem.message, extensions: { ...problem.extensions, code, requestId } }] });
}
