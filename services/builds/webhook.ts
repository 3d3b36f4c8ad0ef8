import { timingSafeEqual } from 'node:crypto';
import type { Database } from '../../db/client.ts';
import { findAppsByIds } from '../apps/repository.ts';
import { recordAudit } from '../audit/record.ts';
import type { RequestScope } from '../scope.ts';
import type { Clock } from '../shared/clock.ts';
import { isUniqueViolation } from '../shared/errors.ts';
import { parseGlobalId, toGlobalId } from '../shared/ids.ts';
import { createLoaders } from '../loaders.ts';
import { requireGitRef } from './inputs.ts';
import * as repo from './repository.ts';
import { checkedSpec, insertQueuedBuild, plannedStages, webhookSecretHash } from './service.ts';
import type { BuildsScope } from './scope.ts';
import { templateFor } from './templates.ts';

/** What the webhook answers: an HTTP status and a small JSON body (never echoing the request). */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface WebhookDeps {
  db: Database;
  clock: Clock;
  builds: BuildsScope;
}

const refused: WebhookAnswer = { status: 401, body: { error: 'missing or invalid X-Gitlab-Token' } };

/**
 * A GitLab push event for an app. The secret is checked first (401 for a wrong one, and for an
 * unknown app: the answer does not reveal which); a push to a branch the spec does not build is
 * 202 and starts nothing; a repeated delivery of one push (same checkout_sha) starts no second build.
 */
export async function receivePush(deps: WebhookDeps, appGlobalId: string, token: string | undefined, payload: unknown, requestId: string): Promise<WebhookAnswer> {
  const parsed = parseGlobalId(appGlobalId);
  if (!parsed || parsed.type !== 'App' || !token) return refused;
  const [app] = await findAppsByIds(deps.db, [parsed.id]);
  const [settings] = app ? await repo.findSettings(deps.db, [app.id]) : [];
  if (!app || !settings?.webhookSecretHash || !sameHash(webhookSecretHash(token), settings.webhookSecretHash)) return refused;

  const push = payload as { object_kind?: unknown; ref?: unknown; checkout_sha?: unknown; project?: { default_branch?: unknown } } | null;
  if (!push || typeof push !== 'object' || push.object_kind !== 'push') return { status: 202, body: { started: false, reason: 'not a push event' } };
  if (typeof push.ref !== 'string' || !push.ref.startsWith('refs/heads/')) return { status: 202, body: { started: false, reason: 'not a branch push' } };
  const branch = push.ref.slice('refs/heads/'.length);
  try {
    requireGitRef('ref', branch);
  } catch {
    return { status: 400, body: { error: 'ref is not a valid branch name' } };
  }
  const sha = push.checkout_sha;
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha) || /^0+$/.test(sha)) return { status: 202, body: { started: false, reason: 'no commit to build (branch deleted?)' } };

  const specText = settings.spec ?? templateFor(app.language).spec;
  const spec = checkedSpec(specText, 'spec');
  const defaultBranch = typeof push.project?.default_branch === 'string' ? push.project.default_branch : null;
  const branches = spec.branches ?? (defaultBranch ? [defaultBranch] : []);
  if (!branches.includes(branch)) return { status: 202, body: { started: false, reason: 'the spec does not build this branch' } };

  // Commands of a push have no user: the audit row's actor is empty, its request id is the delivery's.
  const scope = { db: deps.db, clock: deps.clock, principal: null, builds: deps.builds, loaders: createLoaders(deps.db, null), requestId } as unknown as RequestScope;
  try {
    const build = await insertQueuedBuild(scope, app, { spec: specText, stages: plannedStages(spec), variables: { ...spec.variables }, ref: sha, displayRef: branch, trigger: 'PUSH', pushSha: sha }, async (tx, row) => {
      await recordAudit(tx, scope, { action: 'build.push', targetType: 'Build', targetId: row.id, projectId: app.projectId, details: { ref: branch, commit: sha } });
    });
    return { status: 201, body: { started: true, buildId: toGlobalId('Build', build.id), number: build.number } };
  } catch (error) {
    if (isUniqueViolation(error)) return { status: 200, body: { started: false, reason: 'this push was already delivered' } };
    throw error;
  }
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
