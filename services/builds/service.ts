import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/record.ts';
import type { AppRow } from '../apps/repository.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, DomainError } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { requireBuildableApp, requireVisibleBuild } from './access.ts';
import { requireCloneUrl, requireGitRef, requireUserVariableName, requireVariableName, requireVariableValue } from './inputs.ts';
import * as repo from './repository.ts';
import { parseSpec, SpecError, type BuildSpec } from './spec.ts';
import { templateFor } from './templates.ts';

/** The app's spec text: its own, or its language's template until one is set. */
export async function specTextOf(scope: RequestScope, app: AppRow): Promise<string> {
  const settings = await scope.loaders.buildSettingsByApp.load(app.id);
  return settings?.spec ?? templateFor(app.language).spec;
}

/** Parses a spec, turning a refusal into BAD_USER_INPUT with `extensions.line`/`column`. */
export function checkedSpec(text: string, field: string): BuildSpec {
  try {
    return parseSpec(text);
  } catch (error) {
    if (error instanceof SpecError) throw new DomainError('BAD_USER_INPUT', `${field}: ${error.message}`, { field, line: error.line, column: error.column });
    throw error;
  }
}

/** `setBuildSpec`: validates and stores the app's spec (DEVELOPER and above). */
export async function setBuildSpec(scope: RequestScope, appGlobalId: string, spec: string): Promise<AppRow> {
  const appId = idOf('App', appGlobalId, 'appId');
  const app = await requireBuildableApp(scope, appId, 'build.write');
  checkedSpec(spec, 'spec');
  await scope.db.transaction(async (tx) => {
    await repo.saveSpec(tx, app.id, spec, scope.clock.now());
    await recordAudit(tx, scope, {
      action: 'build.setSpec',
      targetType: 'App',
      targetId: app.id,
      projectId: app.projectId,
      details: { appId: appGlobalId, specSha256: createHash('sha256').update(spec).digest('hex') },
    });
  });
  scope.loaders.buildSettingsByApp.clear(app.id);
  return app;
}

/** `rotateWebhookSecret`: a new secret, returned once; only its SHA-256 is stored. */
export async function rotateWebhookSecret(scope: RequestScope, appGlobalId: string): Promise<string> {
  const appId = idOf('App', appGlobalId, 'appId');
  const app = await requireBuildableApp(scope, appId, 'build.write');
  const secret = `whs_${randomBytes(24).toString('base64url')}`;
  await scope.db.transaction(async (tx) => {
    await repo.saveWebhookSecretHash(tx, app.id, webhookSecretHash(secret), scope.clock.now());
    await recordAudit(tx, scope, { action: 'build.rotateWebhookSecret', targetType: 'App', targetId: app.id, projectId: app.projectId, details: { appId: appGlobalId } });
  });
  scope.loaders.buildSettingsByApp.clear(app.id);
  return secret;
}

/** How webhook secrets are stored and compared. */
export function webhookSecretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface CreateBuildInput {
  appId: string;
  ref?: string | null;
  variables?: unknown;
}

/** Checks createBuild's variables against the spec: declared names, one-line values. */
export function resolveVariables(spec: BuildSpec, given: unknown, field: string): Record<string, string> {
  if (given == null) return { ...spec.variables };
  if (typeof given !== 'object' || Array.isArray(given)) throw badInput(field, `${field} must be an object of NAME: value`);
  const entries = Object.entries(given as Record<string, unknown>);
  if (entries.length > 100) throw badInput(field, `${field} may set at most 100 variables`);
  const values = { ...spec.variables };
  for (const [name, value] of entries) {
    requireVariableName(`${field}.${name.slice(0, 64)}`, name);
    requireUserVariableName(`${field}.${name}`, name);
    if (!Object.hasOwn(spec.variables, name)) {
      throw badInput(`${field}.${name}`, `${field}.${name} is not a variable of the app's spec (declare it under variables: first)`);
    }
    values[name] = requireVariableValue(`${field}.${name}`, value);
  }
  return values;
}

/** The stages a spec runs, all PENDING. */
export function plannedStages(spec: BuildSpec): repo.StoredStage[] {
  const names = ['prepare', 'build', ...spec.artifacts.map((a) => `package:${a.name}`)];
  return names.map((name) => ({ name, status: 'PENDING', cacheKey: null, cacheHit: null, startedAt: null, finishedAt: null }));
}

/** `createBuild`: queues a build of the app's current spec. */
export async function createBuild(scope: RequestScope, input: CreateBuildInput): Promise<repo.BuildRow> {
  const appId = idOf('App', input.appId, 'input.appId');
  const ref = input.ref != null ? requireGitRef('input.ref', input.ref) : null;
  const app = await requireBuildableApp(scope, appId, 'build.write');
  requireCloneUrl('app.repoUrl', app.repoUrl, scope.builds.allowFileRepos);
  const specText = await specTextOf(scope, app);
  const spec = checkedSpec(specText, 'spec');
  const variables = resolveVariables(spec, input.variables, 'input.variables');
  const build = await insertQueuedBuild(scope, app, { spec: specText, stages: plannedStages(spec), variables, ref, trigger: 'MANUAL', pushSha: null }, async (tx, row) => {
    await recordAudit(tx, scope, {
      action: 'build.create',
      targetType: 'Build',
      targetId: row.id,
      projectId: app.projectId,
      details: { appId: input.appId, ref, variables: input.variables ?? null },
    });
  });
  return build;
}

/** Inserts a QUEUED build with its first event; `within` adds to the same transaction. */
export async function insertQueuedBuild(
  scope: Pick<RequestScope, 'db' | 'clock' | 'principal' | 'builds' | 'loaders'>,
  app: AppRow,
  what: { spec: string; stages: repo.StoredStage[]; variables: Record<string, string>; ref: string | null; displayRef?: string; trigger: 'MANUAL' | 'PUSH'; pushSha: string | null },
  within: (tx: Parameters<Parameters<RequestScope['db']['transaction']>[0]>[0], row: repo.BuildRow) => Promise<void>,
): Promise<repo.BuildRow> {
  const now = scope.clock.now();
  const row = await scope.db.transaction(async (tx) => {
    const number = await repo.nextBuildNumber(tx, app.id);
    const inserted = await repo.insertBuild(
      tx,
      {
        id: randomUUID(),
        appId: app.id,
        number,
        status: 'QUEUED',
        trigger: what.trigger,
        requestedRef: what.ref,
        ref: what.displayRef ?? what.ref ?? '(default branch)',
        spec: what.spec,
        variables: what.variables,
        stages: what.stages,
        artifacts: [],
        pushSha: what.pushSha,
        createdBy: what.trigger === 'MANUAL' ? (scope.principal?.userId ?? null) : null,
        createdAt: now,
      },
      { type: 'QUEUED', message: `build #${number} queued${what.ref ? ` for ${what.displayRef ?? what.ref}` : ''}`, at: now },
    );
    await within(tx, inserted);
    return inserted;
  });
  scope.loaders.buildById.prime(row.id, row);
  scope.builds.bus.publish(row.id);
  return row;
}

/**
 * `cancelBuild`: a queued build ends CANCELED at once; a running one is marked CANCELED and the
 * process running it kills its commands and removes its workspace. An ended build is returned as is.
 */
export async function cancelBuild(scope: RequestScope, globalId: string): Promise<repo.BuildRow> {
  const id = idOf('Build', globalId, 'id');
  const existing = await requireVisibleBuild(scope, id, 'build.write');
  const app = (await scope.loaders.appById.load(existing.appId))!;
  const updated = await scope.db.transaction(async (tx) => {
    const row = await repo.lockBuild(tx, id);
    if (!row || repo.FINAL_BUILD_STATUSES.includes(row.status)) return row;
    const now = scope.clock.now();
    const stages = row.stages.map((s) => (s.status === 'PENDING' || s.status === 'RUNNING' ? { ...s, status: 'SKIPPED' as const, finishedAt: s.startedAt ? now.toISOString() : null } : s));
    await repo.updateBuild(tx, id, { status: 'CANCELED', statusMessage: 'canceled', finishedAt: now, stages, settledAt: row.status === 'QUEUED' ? now : null }, {});
    await repo.appendEvents(tx, id, [{ type: 'CANCELED', message: 'build canceled', at: now }]);
    await recordAudit(tx, scope, { action: 'build.cancel', targetType: 'Build', targetId: id, projectId: app.projectId, details: { id: globalId } });
    const [fresh] = await repo.findBuildsByIds(tx, [id]);
    return fresh!;
  });
  scope.loaders.buildById.clear(id);
  if (updated) scope.loaders.buildById.prime(id, updated);
  scope.builds.bus.publish(id);
  return updated ?? existing;
}
