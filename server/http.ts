import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import { DomainError } from '../services/shared/errors.ts';
import type { RequestLimits } from './config.ts';
import { buildContext, type ContextDeps, type GraphQLContext } from './context.ts';
import { toGraphQLError } from './errors.ts';
import { documentTooLarge } from './limits.ts';
import type { Metrics } from './metrics.ts';
import { requestIdFrom, requestIdStorage } from './request-id.ts';

export interface HttpDeps {
  apollo: ApolloServer<GraphQLContext>;
  context: ContextDeps;
  limits: RequestLimits;
  metrics: Metrics;
  logger: Logger;
  /** /readyz: null when ready, else the reason. */
  readiness: () => Promise<string | null>;
}

/** A failure answered before GraphQL runs (bad body, wrong method…), in GraphQL's error shape. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The one HTTP handler: /graphql (Apollo through its documented `executeHTTPGraphQLRequest`),
 * /healthz, /readyz and /metrics. Every response carries `x-request-id`, also in the log line.
 */
export function createHttpHandler(deps: HttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const started = performance.now();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://gantry.invalid');
    const route = ['/graphql', '/healthz', '/readyz', '/metrics'].includes(url.pathname) ? url.pathname : 'other';
    requestIdStorage.run(requestId, () => {
      serve(deps, req, res, url, requestId)
        .catch((error: unknown) => {
          if (error instanceof HttpProblem) return sendProblem(res, error);
          deps.logger.error({ err: error, requestId }, 'unhandled error serving request');
          return sendProblem(res, new HttpProblem(500, `Internal server error; quote request id ${requestId}`), 'INTERNAL_SERVER_ERROR');
        })
        .finally(() => {
          deps.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
          if (route !== '/healthz' && route !== '/metrics') {
            deps.logger.info(
              { requestId, method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(performance.now() - started) },
              'http request',
            );
          }
        });
    });
  };
}

async function serve(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
  switch (url.pathname) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz': {
      const reason = await deps.readiness();
      return sendJson(res, reason ? 503 : 200, reason ? { status: 'unavailable', reason } : { status: 'ready' });
    }
    case '/metrics':
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      res.end(await deps.metrics.registry.metrics());
      return;
    case '/graphql':
      return serveGraphQL(deps, req, res, url, requestId);
    default:
      throw new HttpProblem(404, `No route for ${url.pathname}; the API is at /graphql`);
  }
}

async function serveGraphQL(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    throw new HttpProblem(405, `Method ${method} not allowed on /graphql; use GET or POST`, { allow: 'GET, POST' });
  }
  const body = method === 'POST' ? await readJsonBody(req, deps.limits.maxBodyBytes) : undefined;
  const query = method === 'POST' ? (body as { query?: unknown } | undefined)?.query : url.searchParams.get('query');
  const tooLarge = documentTooLarge(query, deps.limits);
  if (tooLarge) throw new HttpProblem(413, tooLarge);

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: async () => {
      try {
        return await buildContext(deps.context, req.headers.authorization, requestId);
      } catch (error) {
        throw error instanceof DomainError ? toGraphQLError(error) : error;
      }
    },
  });
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpProblem(413, `Request body over ${maxBytes} bytes (GANTRY_MAX_BODY_BYTES)`);
    chunks.push(chunk);
  }
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
function sendProblem(res: ServerResponse, problem: HttpProblem, code = 'BAD_USER_INPUT'): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
  const requestId = res.getHeader('x-request-id');
  const status = problem.status;
  const finalCode = status === 404 ? 'NOT_FOUND' : code;
  sendJson(res, status, { errors: [{ message: problem.message, extensions: { code: finalCode, requestId } }] });
}
