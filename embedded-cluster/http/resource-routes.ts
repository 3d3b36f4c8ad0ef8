/**
 * The resource endpoints: list/watch/create on collections; get/update/patch/delete on
 * objects; the status, scale and log subresources. Handlers only unpack the request, call
 * the resource API and write the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions } from '../deletion.ts';
import { ApiError, badRequest } from '../errors.ts';
import type { FaultInjector } from '../faults.ts';
import type { ContainerLogs } from '../logs.ts';
import { isJsonObject } from '../objects.ts';
import { PATCH_TYPES, type PatchType, type ResourceApi } from '../resource-api.ts';
import { patchScale, scaleOf, writeScale } from '../scale.ts';
import { parseFieldSelector, parseLabelSelector } from '../selectors.ts';
import { tableWatchEncoding, toTable, wantsTable, type IncludeObject } from '../table.ts';
import { JSON_ENCODING, type WatchHub } from '../watch.ts';
import type { ResourcePath } from './paths.ts';
import { servePodLogs } from './pod-logs-route.ts';
import { readBody, sendJson } from './responses.ts';

/** What the resource routes need. */
export interface ResourceRouteContext {
  api: ResourceApi;
  watches: WatchHub;
  logs: ContainerLogs;
  faults: FaultInjector;
  /** Resolves when every change committed so far is durable; a write is answered only after it. */
  durable: () => Promise<void>;
}

/**
 * Answers once everything the answer reflects is durable: an acknowledged write survives a
 * crash, and a read never shows a state that a crash could still take back.
 */
async function sendDurable(context: ResourceRouteContext, response: ServerResponse, code: number, body: unknown): Promise<void> {
  await context.durable();
  sendJson(response, code, body);
}

function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

function notServed(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

function includeObject(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

function integerParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw badRequest(`invalid ${name}: ${value}`);
  return parsed;
}

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

async function deleteOptions(request: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
  const body = await readBody(request);
  const fromBody = isJsonObject(body) ? body : {};
  const options: DeleteOptions = {};
  const grace = fromBody['gracePeriodSeconds'] ?? integerParam(query, 'gracePeriodSeconds');
  if (typeof grace === 'number') options.gracePeriodSeconds = grace;
  const policy = fromBody['propagationPolicy'] ?? query.get('propagationPolicy');
  if (policy === 'Orphan' || policy === 'Background' || policy === 'Foreground') options.propagationPolicy = policy;
  if (fromBody['orphanDependents'] === true || query.get('orphanDependents') === 'true') options.propagationPolicy = 'Orphan';
  if (isJsonObject(fromBody['preconditions'])) options.preconditions = fromBody['preconditions'] as DeleteOptions['preconditions'];
  if (query.get('dryRun') === 'All' || (Array.isArray(fromBody['dryRun']) && fromBody['dryRun'].includes('All'))) options.dryRun = true;
  return options;
}

function patchTypeOf(request: IncomingMessage): PatchType {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const patchType = PATCH_TYPES[contentType as keyof typeof PATCH_TYPES];
  if (!patchType) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`);
  }
  return patchType;
}

/** Handles a request whose path addresses resources. */
export async function handleResource(context: ResourceRouteContext, path: ResourcePath, request: IncomingMessage, response: ServerResponse, query: URLSearchParams): Promise<void> {
  const method = request.method ?? 'GET';
  if (path.legacyWatch && path.name !== undefined && path.subresource === undefined) {
    // `/watch/…/<name>` is the deprecated form of a collection watch selecting one name.
    query.set('fieldSelector', [query.get('fieldSelector'), `metadata.name=${path.name}`].filter(Boolean).join(','));
    return handleCollection(context, { ...path, name: undefined }, request, response, query, method);
  }
  if (path.name === undefined) return handleCollection(context, path, request, response, query, method);
  const { api } = context;
  const { type, namespace, name } = path;
  const table = wantsTable(request.headers.accept);
  const writeOptions = { dryRun: query.get('dryRun') === 'All', fieldManager: query.get('fieldManager') ?? undefined };

  if (type.namespaced && namespace === undefined) throw notServed();
  switch (path.subresource) {
    case undefined:
      break;
    case 'status':
      if (!type.subresources.includes('status')) throw notServed();
      if (method === 'GET') return sendDurable(context, response, 200, api.get(type, namespace, name));
      if (method === 'PUT') return sendDurable(context, response, 200, api.update(type, namespace, name, await readBody(request), { ...writeOptions, subresource: 'status' }));
      if (method === 'PATCH') return sendDurable(context, response, 200, api.patch(type, namespace, name, patchTypeOf(request), await readBody(request), { ...writeOptions, subresource: 'status' }));
      throw methodNotAllowed(method);
    case 'scale':
      if (!type.subresources.includes('scale')) throw notServed();
      if (method === 'GET') return sendDurable(context, response, 200, scaleOf(api.get(type, namespace, name)));
      if (method === 'PUT') return sendDurable(context, response, 200, writeScale(api, type, namespace, name, await readBody(request)));
      if (method === 'PATCH') return sendDurable(context, response, 200, patchScale(api, type, namespace, name, patchTypeOf(request), await readBody(request)));
      throw methodNotAllowed(method);
    case 'log':
      if (!type.subresources.includes('log') || method !== 'GET') throw notServed();
      return servePodLogs(api.store, context.logs, namespace ?? 'default', name, query, request, response);
    default:
      throw notServed();
  }

  switch (method) {
    case 'GET': {
      const object = api.get(type, namespace, name);
      return sendDurable(context, response, 200, table ? toTable(type, [object], includeObject(query), { resourceVersion: object.metadata.resourceVersion }) : object);
    }
    case 'PUT':
      return sendDurable(context, response, 200, api.update(type, namespace, name, await readBody(request), writeOptions));
    case 'PATCH': {
      const patchType = patchTypeOf(request);
      const existed = api.store.get(type, namespace, name) !== undefined;
      const result = api.patch(type, namespace, name, patchType, await readBody(request), writeOptions);
      return sendDurable(context, response, existed ? 200 : 201, result);
    }
    case 'DELETE':
      return sendDurable(context, response, 200, api.delete(type, namespace, name, await deleteOptions(request, query)));
    default:
      throw methodNotAllowed(method);
  }
}

async function handleCollection(context: ResourceRouteContext, path: ResourcePath, request: IncomingMessage, response: ServerResponse, query: URLSearchParams, method: string): Promise<void> {
  const { api } = context;
  const { type, namespace } = path;
  const table = wantsTable(request.headers.accept);
  if (method === 'GET' && (path.legacyWatch || isTrue(query.get('watch')))) {
    const sendInitial = query.get('sendInitialEvents');
    return context.watches.open(
      {
        resource: type,
        namespace: type.namespaced ? namespace : undefined,
        labelSelector: parseLabelSelector(query.get('labelSelector')),
        fieldSelector: parseFieldSelector(query.get('fieldSelector')),
        resourceVersion: query.get('resourceVersion') ?? '',
        sendInitialEvents: sendInitial === null ? undefined : isTrue(sendInitial),
        allowBookmarks: isTrue(query.get('allowWatchBookmarks')),
        timeoutSeconds: integerParam(query, 'timeoutSeconds'),
        encoding: table ? tableWatchEncoding(type, includeObject(query)) : JSON_ENCODING,
      },
      response,
    );
  }
  switch (method) {
    case 'GET': {
      const failure = context.faults.takeListFailure();
      if (failure) throw failure;
      const page = api.list(type, namespace, {
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
        limit: integerParam(query, 'limit'),
        continueToken: query.get('continue') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
      });
      const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
      if (page.continueToken) metadata['continue'] = page.continueToken;
      if (page.remainingItemCount !== undefined) metadata['remainingItemCount'] = page.remainingItemCount;
      if (table) return sendDurable(context, response, 200, toTable(type, page.items, includeObject(query), metadata));
      return sendDurable(context, response, 200, { kind: type.listKind, apiVersion: type.apiVersion, metadata, items: page.items });
    }
    case 'POST':
      if (type.namespaced && namespace === undefined) throw methodNotAllowed(method);
      return sendDurable(context, response, 201, api.create(type, namespace, await readBody(request), { dryRun: query.get('dryRun') === 'All', fieldManager: query.get('fieldManager') ?? undefined }));
    case 'DELETE': {
      const options = await deleteOptions(request, query);
      const page = api.list(type, namespace, { labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined });
      const deleted = page.items.map((item) => api.delete(type, item.metadata.namespace, item.metadata.name, options));
      return sendDurable(context, response, 200, { kind: type.listKind, apiVersion: type.apiVersion, metadata: { resourceVersion: String(api.store.currentResourceVersion) }, items: deleted });
    }
    default:
      throw methodNotAllowed(method);
  }
}
