/**
 * The HTTP front of the embedded API server (plain `node:http` on loopback): bearer-token
 * authentication, discovery and OpenAPI documents, and dispatch to the resource routes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { apiGroup, coreVersions, groupList, resourceList, versionInfo } from '../discovery.ts';
import { ApiError, toApiError } from '../errors.ts';
import { openApiDocument, openApiIndex } from '../openapi.ts';
import { parseApiPath } from './paths.ts';
import { handleResource, type ResourceRouteContext } from './resource-routes.ts';
import { sendError, sendJson } from './responses.ts';
import { listenTracked, type TrackedListener } from './listener.ts';

/** Options of {@link ApiHttpServer}. */
export interface ApiHttpServerOptions {
  /** The bearer token; a request presenting any other credentials gets 401. Undefined accepts anything. */
  token: string | undefined;
  /** Returns the live route context (it is rebuilt on restart). */
  context: () => ResourceRouteContext;
}

const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

function notFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

/** A node:http server that can be stopped (dropping open connections) and started again on the same port. */
export class ApiHttpServer {
  private listener: TrackedListener | undefined;

  constructor(private readonly options: ApiHttpServerOptions) {}

  /**
   * Starts listening; port 0 picks a free port.
   * @returns the port listened on.
   * @throws Error when the port cannot be bound.
   */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer({ keepAliveTimeout: 30_000, requestTimeout: 0 }, (request, response) => {
      void this.handle(request, response);
    });
    this.listener = await listenTracked(server, port, host);
    return this.listener.port;
  }

  /** Stops listening and destroys every open connection (including watches and log streams). */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const pathname = url.pathname.replace(/\/+$/, '') || '/';
      this.authenticate(request, pathname);
      if (this.serveNonResource(pathname, request, response)) return;
      const parsed = parseApiPath(pathname);
      if (parsed?.kind === 'resource') return await handleResource(this.options.context(), parsed, request, response, url.searchParams);
      if (request.method !== 'GET') throw notFound();
      const document = parsed?.kind === 'groupVersion' ? resourceList(parsed.group, parsed.version) : parsed?.kind === 'group' ? apiGroup(parsed.group) : undefined;
      if (!document) throw notFound();
      sendJson(response, 200, document);
    } catch (error) {
      // A failed request may have committed part of its work (a collection delete): that is durable before the answer too.
      const failure = request.method === 'GET' ? undefined : await this.durable().catch((reason: unknown) => reason);
      sendError(response, toApiError(failure ?? error));
    }
  }

  /** Resolves when every committed change is durable (at once when the cluster is not running). */
  private async durable(): Promise<void> {
    let context: ResourceRouteContext;
    try {
      context = this.options.context();
    } catch {
      return;
    }
    await context.durable();
  }

  /**
   * A client that presents credentials must present the right token. Clients presenting none
   * are let through: kubectl (client-go) never sends bearer tokens over plain http, and the
   * server only listens on loopback.
   */
  private authenticate(request: IncomingMessage, pathname: string): void {
    const presented = request.headers.authorization;
    if (!this.options.token || presented === undefined || UNAUTHENTICATED_PATHS.has(pathname)) return;
    if (presented !== `Bearer ${this.options.token}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  }

  /** Health, version, discovery roots and OpenAPI; returns false when the path is not one of them. */
  private serveNonResource(pathname: string, request: IncomingMessage, response: ServerResponse): boolean {
    if (pathname === '/healthz' || pathname === '/livez' || pathname === '/readyz') {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('ok');
      return true;
    }
    const documents: Record<string, () => unknown> = {
      '/version': versionInfo,
      '/api': () => coreVersions(request.headers.host ?? '127.0.0.1'),
      '/apis': groupList,
      '/openapi/v3': openApiIndex,
    };
    const document = documents[pathname];
    if (document) {
      sendJson(response, 200, document());
      return true;
    }
    if (pathname.startsWith('/openapi/v3/')) {
      const openApi = openApiDocument(pathname.slice('/openapi/v3/'.length));
      if (!openApi) throw notFound();
      sendJson(response, 200, openApi);
      return true;
    }
    return false;
  }
}
