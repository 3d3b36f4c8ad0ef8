import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RequestScope } from '../scope.ts';
import { badInput, DomainError, notFound, unauthenticated } from '../shared/errors.ts';
import { parseGlobalId } from '../shared/ids.ts';
import { requireVisibleBuild } from './access.ts';
import { readTarball, tarballSize } from './artifact-store.ts';
import { receivePush, type WebhookDeps } from './webhook.ts';

/** The HTTP endpoints of builds (outside GraphQL): push webhooks and tarball downloads. */
export interface BuildHttpDeps extends WebhookDeps {
  maxBodyBytes: number;
  logger: Logger;
  /** A request scope for the bearer token, as /graphql builds one. @throws UNAUTHENTICATED. */
  scopeFor: (authorization: string | undefined, requestId: string) => Promise<RequestScope>;
}

const ARTIFACT_PATH = /^\/artifacts\/([A-Za-z0-9_-]{1,200})\/([a-z0-9][a-z0-9-]{0,39})\.tar\.gz$/;
const HOOK_PATH = /^\/hooks\/gitlab\/([A-Za-z0-9_-]{1,200})$/;

/**
 * `POST /hooks/gitlab/<app id>`: a GitLab push event (secret in X-Gitlab-Token). Answers JSON
 * that never echoes what was sent.
 */
export async function serveWebhook(deps: BuildHttpDeps, req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
  const match = HOOK_PATH.exec(path);
  if (!match) throw notFound('Webhook');
  if (req.method !== 'POST') {
    req.resume();
    res.setHeader('allow', 'POST');
    return sendJson(res, 405, { error: 'use POST' });
  }
  const token = req.headers['x-gitlab-token'];
  const body = await readBody(req, deps.maxBodyBytes);
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw badInput('body', 'the body is not JSON');
  }
  const answer = await receivePush(deps, match[1]!, typeof token === 'string' ? token : undefined, payload, requestId);
  sendJson(res, answer.status, answer.body);
}

/** `GET /artifacts/<build id>/<name>.tar.gz`: a tarball, to whoever may read the build (bearer token). */
export async function serveArtifact(deps: BuildHttpDeps, req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
  req.resume();
  const match = ARTIFACT_PATH.exec(path);
  if (!match) throw notFound('Artifact');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, 405, { error: 'use GET' });
  }
  const scope = await deps.scopeFor(req.headers.authorization, requestId);
  if (!scope.principal && !scope.vmHost) throw unauthenticated();
  const parsed = parseGlobalId(match[1]!);
  if (!parsed || parsed.type !== 'Build') throw notFound('Artifact');
  const build = await (scope.vmHost ? hostVisibleBuild(scope, scope.vmHost.environmentId, parsed.id) : requireVisibleBuild(scope, parsed.id)).catch(() => {
    throw notFound('Artifact');
  });
  const artifact = build.artifacts.find((a) => a.kind === 'TARBALL' && a.name === match[2]);
  if (!artifact) throw notFound('Artifact');
  const size = await tarballSize(scope.db, build.id, artifact.name);
  if (size === null) throw notFound('Artifact');
  res.writeHead(200, {
    'content-type': 'application/gzip',
    'content-length': String(size),
    'content-disposition': `attachment; filename="${artifact.name}.tar.gz"`,
    digest: `sha-256=${Buffer.from(artifact.digest.replace(/^sha256:/, ''), 'hex').toString('base64')}`,
  });
  if (req.method === 'HEAD') return void res.end();
  // From the database every process shares, whichever process built it; checked against the
  // published digest on the way: a mismatch cuts the transfer short (the client sees fewer bytes
  // than content-length), so a corrupt tarball never arrives whole.
  try {
    await pipeline(Readable.from(readTarball(scope.db, build.id, artifact.name, artifact.digest)), res);
  } catch (error) {
    deps.logger.error({ build: build.id, artifact: artifact.name, err: (error as Error).message }, 'tarball download cut short');
    res.destroy();
  }
}

/** A VM host's agent downloads the builds of its own environment's app, and nothing else. */
async function hostVisibleBuild(scope: RequestScope, environmentId: string, buildId: string) {
  const environment = await scope.loaders.environmentById.load(environmentId);
  const build = await scope.loaders.buildById.load(buildId);
  if (!environment || !build || build.appId !== environment.appId) throw notFound('Build');
  return build;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new DomainError('BAD_USER_INPUT', `Request body over ${maxBytes} bytes (GANTRY_MAX_BODY_BYTES)`, { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
