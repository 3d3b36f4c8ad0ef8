import { randomUUID } from 'node:crypto';
import type { Tx } from '../../db/client.ts';
import type { EnvironmentRow } from '../apps/repository.ts';
import { requireVisibleEnvironment } from '../apps/service.ts';
import { recordAudit } from '../audit/record.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, conflict, isUniqueViolation, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { pageRequest, toConnection, type Connection, type PageArgs } from '../shared/pagination.ts';
import { requireText } from '../shared/validation.ts';
import { applyChange, requireEnvName, requireWithinLimit, withSecret, type ConfigChange, type RevisionContent } from './model.ts';
import * as repo from './repository.ts';

/** Protected environments take MAINTAINER or OWNER to change their configuration. */
export async function authorizeConfigWrite(scope: RequestScope, environmentId: string) {
  const { environment } = await requireVisibleEnvironment(scope, environmentId, 'config.read');
  return requireVisibleEnvironment(scope, environmentId, environment.protected ? 'config.write.protected' : 'config.write');
}

/** The latest revision of a visible environment. */
export async function latestConfig(scope: RequestScope, environment: EnvironmentRow): Promise<repo.ConfigRevisionRow> {
  const row = await scope.loaders.latestConfigByEnvironment.load(environment.id);
  if (!row) throw notFound('ConfigRevision');
  return row;
}

/** Revision `number` of an environment (the caller checked access); null when there is none. */
export function configRevisionOf(scope: RequestScope, environmentId: string, number: number): Promise<repo.ConfigRevisionRow | null> {
  return scope.loaders.configRevisionByNumber.load(`${environmentId}#${number}`);
}

/** An environment's revisions, newest first. */
export async function configRevisionsOf(scope: RequestScope, environment: EnvironmentRow, args: PageArgs): Promise<Connection<repo.ConfigRevisionRow>> {
  const page = pageRequest(args);
  const before = page.after === null ? null : Number(page.after);
  if (before !== null && !Number.isSafeInteger(before)) throw badInput('after', 'after is not a valid cursor');
  const { rows, total } = await repo.listRevisions(scope.db, environment.id, before, page.first + 1);
  return toConnection(rows, page, total, (r) => r.number);
}

/** `node(id:)` for a ConfigRevision. @throws NOT_FOUND for missing and invisible alike. */
export async function requireVisibleRevision(scope: RequestScope, id: string): Promise<repo.ConfigRevisionRow> {
  const [row] = await repo.findRevisionsByIds(scope.db, [id]);
  if (!row) throw notFound('ConfigRevision');
  await requireVisibleEnvironment(scope, row.environmentId, 'config.read');
  return row;
}

const contentOf = (row: repo.ConfigRevisionRow): RevisionContent => ({ variables: row.variables, files: row.files, secrets: row.secrets });
const secretBytesOf = (content: RevisionContent) => content.secrets.reduce((n, s) => n + Buffer.byteLength(s.name) + s.bytes, 0);

/**
 * Makes the next revision of an environment from its latest, under the environment's row lock,
 * with its audit row; then tells configChanged subscribers.
 * @throws CONFLICT naming the current revision when `expectedRevision` is not it.
 */
async function newRevision(
  scope: RequestScope,
  environmentId: string,
  options: { expectedRevision?: number | null; message: string | null; audit: { action: string; details: unknown; inputType?: string } },
  next: (latest: RevisionContent) => RevisionContent | null,
): Promise<repo.ConfigRevisionRow | null> {
  const { app } = await authorizeConfigWrite(scope, environmentId);
  try {
    const row = await scope.db.transaction(async (tx) => {
      if (!(await repo.lockEnvironment(tx, environmentId))) throw notFound('Environment');
      const [latest] = await repo.latestRevisions(tx, [environmentId]);
      if (!latest) throw notFound('Environment');
      if (options.expectedRevision != null && options.expectedRevision !== latest.number) {
        throw conflict(`The configuration changed meanwhile: the latest revision is ${latest.number}, not ${options.expectedRevision}`, {
          field: 'input.expectedRevision',
          currentRevision: latest.number,
        });
      }
      const content = next(contentOf(latest));
      if (content === null) return null;
      const inserted = await repo.insertRevision(tx, {
        id: randomUUID(),
        environmentId,
        number: latest.number + 1,
        ...content,
        message: options.message,
        createdBy: scope.principal!.userId,
        createdAt: scope.clock.now(),
      });
      await recordAudit(tx, scope, { ...options.audit, targetType: 'ConfigRevision', targetId: inserted.id, projectId: app.projectId });
      return inserted;
    });
    if (row) {
      scope.loaders.latestConfigByEnvironment.clear(environmentId).prime(environmentId, row);
      scope.config.bus.publish(environmentId);
    }
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('Another configuration change was made at the same time; retry', {});
    throw error;
  }
}

export interface UpdateConfigInput extends ConfigChange {
  environmentId: string;
  expectedRevision?: number | null;
  message?: string | null;
}

/** `updateConfig`: one new revision with the variables and files changed. */
export async function updateConfig(scope: RequestScope, input: UpdateConfigInput): Promise<repo.ConfigRevisionRow> {
  const environmentId = idOf('Environment', input.environmentId, 'input.environmentId');
  const message = input.message == null ? null : requireText('input.message', input.message, 500, { allowEmpty: true }) || null;
  if (input.expectedRevision != null && (!Number.isInteger(input.expectedRevision) || input.expectedRevision < 1)) {
    throw badInput('input.expectedRevision', 'input.expectedRevision must be a revision number (1 or more)');
  }
  // Check the input's shape before any lock (applyChange repeats it against the latest revision).
  applyChange({ variables: [], files: [], secrets: [] }, input, 0);
  const row = await newRevision(
    scope,
    environmentId,
    { expectedRevision: input.expectedRevision, message, audit: { action: 'config.update', details: input, inputType: 'UpdateConfigInput' } },
    (latest) => applyChange(latest, input, secretBytesOf(latest)),
  );
  return row!;
}

/** `setSecret`: seals the value and makes a new revision with it. The value is never returned. */
export async function setSecret(scope: RequestScope, input: { environmentId: string; name: string; value: string }): Promise<{ name: string; updatedAt: Date }> {
  const environmentId = idOf('Environment', input.environmentId, 'input.environmentId');
  const name = requireEnvName('input.name', input.name);
  const now = scope.clock.now();
  const secret = { name, sealed: scope.config.box.seal(input.value), bytes: Buffer.byteLength(input.value, 'utf8'), updatedAt: now.toISOString() };
  await newRevision(scope, environmentId, { message: `secret ${name} set`, audit: { action: 'secret.set', details: input, inputType: 'SetSecretInput' } }, (latest) => {
    const next = withSecret(latest, secret);
    requireWithinLimit(next, secretBytesOf(next), 'input.value');
    return next;
  });
  return { name, updatedAt: now };
}

/** `deleteSecret`: a new revision without it; false (and no revision) when there is no such secret. */
export async function deleteSecret(scope: RequestScope, environmentGlobalId: string, name: string): Promise<boolean> {
  const environmentId = idOf('Environment', environmentGlobalId, 'environmentId');
  requireEnvName('name', name);
  const row = await newRevision(
    scope,
    environmentId,
    { message: `secret ${name} deleted`, audit: { action: 'secret.delete', details: { environmentId: environmentGlobalId, name } } },
    (latest) => (latest.secrets.some((s) => s.name === name) ? { ...latest, secrets: latest.secrets.filter((s) => s.name !== name) } : null),
  );
  return row !== null;
}

/**
 * The number a new release runs with: `requested` if the environment has that revision, else
 * the latest. @throws BAD_USER_INPUT on `input.configRevision` for a revision that does not exist.
 */
export async function releaseRevision(tx: Tx, environmentId: string, requested: number | null | undefined): Promise<number> {
  if (requested != null) {
    const found = Number.isInteger(requested) && requested >= 1 ? await repo.findRevision(tx, environmentId, requested) : null;
    if (!found) throw badInput('input.configRevision', 'input.configRevision is not a revision of this environment');
    return requested;
  }
  const [latest] = await repo.latestRevisions(tx, [environmentId]);
  return latest?.number ?? 1;
}
