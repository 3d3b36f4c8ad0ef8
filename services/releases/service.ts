import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { environments } from '../../db/schema/index.ts';
import { requireVisibleEnvironment } from '../apps/service.ts';
import type { AppRow, EnvironmentRow } from '../apps/repository.ts';
import { recordAudit } from '../audit/record.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, conflict, DomainError, isUniqueViolation, notFound } from '../shared/errors.ts';
import { idOf, toGlobalId } from '../shared/ids.ts';
import { requireImageReference, requireIntInRange } from '../shared/validation.ts';
import { releasableImageOf } from '../builds/releasable.ts';
import { applyInput, type CommitResult } from './commit.ts';
import { startRelease } from './machine.ts';
import { RELEASE_STRATEGIES, type ReleaseCommand, type ReleaseStepInput, type ReleaseStrategy } from './model.ts';
import * as repo from './repository.ts';
import { encodeState } from './state-codec.ts';
import { planRelease } from './steps.ts';
import { releaseRevision } from '../config/service.ts';
import { checkAnalysis } from './analysis-input.ts';
import type { AnalysisSpec } from './model.ts';
import type { AnalysisInput } from '../../resolvers/types.generated.ts';
import { checkTarget, planJoint, planVmRollout } from './vm-target.ts';
import type { JointRollout } from './joint-steps.ts';
import type { VmRollout } from './vm-steps.ts';
import { defaultRollbackTarget, planRollbackOnHosts, targetOfRelease, type ReleaseTargetName } from './vm-rollback.ts';

/** Protected environments take MAINTAINER or OWNER for every release command. */
async function authorizeRelease(scope: RequestScope, environmentId: string) {
  const { environment } = await requireVisibleEnvironment(scope, environmentId, 'release.read');
  return requireVisibleEnvironment(scope, environmentId, environment.protected ? 'release.write.protected' : 'release.write');
}

/** The release if the caller may read it. @throws NOT_FOUND for missing and invisible alike. */
export async function requireVisibleRelease(scope: RequestScope, releaseId: string): Promise<repo.ReleaseRow> {
  const release = await scope.loaders.releaseById.load(releaseId);
  if (!release) throw notFound('Release');
  await requireVisibleEnvironment(scope, release.environmentId, 'release.read').catch(() => {
    throw notFound('Release');
  });
  return release;
}

export interface CreateReleaseInput {
  environmentId: string;
  /** Exactly one of image and buildId. */
  image?: string | null;
  buildId?: string | null;
  strategy?: string | null;
  steps?: ReleaseStepInput[] | null;
  canaryReplicas?: number | null;
  progressDeadlineSeconds?: number | null;
  supersede?: boolean | null;
  configRevision?: number | null;
  analysis?: AnalysisInput | null;
  /** CLUSTER (default) or VM (vm-target.ts); JOINT is refused until it is implemented. */
  target?: string | null;
}

/**
 * Starts a release. With an active release on the environment: CONFLICT, unless `supersede`,
 * which ends the active one SUPERSEDED in the same transaction.
 */
export async function createRelease(scope: RequestScope, input: CreateReleaseInput): Promise<repo.ReleaseRow> {
  const environmentId = idOf('Environment', input.environmentId, 'input.environmentId');
  if ((input.image == null) === (input.buildId == null)) {
    throw badInput(input.image == null ? 'input.image' : 'input.buildId', 'Give exactly one of input.image and input.buildId');
  }
  const requestedImage = input.image != null ? requireImageReference('input.image', input.image) : null;
  if (input.strategy != null && !(RELEASE_STRATEGIES as readonly string[]).includes(input.strategy)) {
    throw badInput('input.strategy', `input.strategy must be one of ${RELEASE_STRATEGIES.join(', ')}`);
  }
  if (input.canaryReplicas != null) requireIntInRange('input.canaryReplicas', input.canaryReplicas, 1, 1000);
  if (input.progressDeadlineSeconds != null) requireIntInRange('input.progressDeadlineSeconds', input.progressDeadlineSeconds, 1, 86_400);
  if (input.steps && input.steps.length > 20) throw badInput('input.steps', 'input.steps allows at most 20 steps');
  const analysis = checkAnalysis(input.analysis, input.strategy);
  const target = checkTarget(input);
  const { environment, app } = await authorizeRelease(scope, environmentId);
  // A build's IMAGE artifact, by digest: only a SUCCEEDED build of this environment's app.
  const fromBuild = input.buildId != null ? await releasableImageOf(scope, input.buildId, app, 'input.buildId') : null;
  const vm = target !== 'CLUSTER' ? await planVmRollout(scope.db, environment.id, fromBuild!.buildId) : null;
  const joint = target === 'JOINT' ? await planJoint(scope.db, environment.id) : null;
  const release = await startInEnvironment(scope, environment, app, {
    image: fromBuild?.image ?? requestedImage!,
    buildId: fromBuild?.buildId ?? null,
    analysis,
    strategy: (input.strategy as ReleaseStrategy | null) ?? null,
    steps: input.steps ?? null,
    canaryReplicas: input.canaryReplicas ?? null,
    progressDeadlineSeconds: input.progressDeadlineSeconds ?? null,
    supersede: input.supersede ?? false,
    isRollback: false,
    rollbackOf: null,
    configRevision: input.configRevision ?? null,
    vm,
    joint,
    audit: { action: 'release.create', details: input },
  });
  return release;
}

interface StartRequest {
  image: string;
  buildId?: string | null;
  strategy: ReleaseStrategy | null;
  steps: ReleaseStepInput[] | null;
  canaryReplicas: number | null;
  progressDeadlineSeconds: number | null;
  supersede: boolean;
  isRollback: boolean;
  rollbackOf: string | null;
  /** The config revision to run with; null for the environment's latest. */
  configRevision: number | null;
  /** Canary analysis (CANARY only), checked. */
  analysis?: AnalysisSpec | null;
  /** `target: VM` or JOINT: the hosts to update, in order. */
  vm?: VmRollout | null;
  /** `target: JOINT`: its steps are the load balancer's cloud weights (planned as canary steps). */
  joint?: JointRollout | null;
  audit: { action: string; details: unknown };
}

async function startInEnvironment(scope: RequestScope, environment: EnvironmentRow, app: AppRow, request: StartRequest): Promise<repo.ReleaseRow> {
  const now = scope.clock.now();
  const plan = planRelease(
    { strategy: request.joint ? 'CANARY' : request.strategy, steps: request.steps, canaryReplicas: request.canaryReplicas, progressDeadlineSeconds: request.progressDeadlineSeconds, isRollback: request.isRollback },
    { protected: request.joint ? true : environment.protected, replicas: environment.replicas, hasStable: request.joint ? true : environment.stableReleaseId !== null },
  );
  if (!plan.ok) {
    const [first] = plan.errors;
    throw badInput(`input.${first!.field}`, `input.${first!.field}: ${first!.message}`);
  }
  const touched: string[] = [];
  try {
    const release = await scope.db.transaction(async (tx) => {
      const env = await repo.lockEnvironment(tx, environment.id);
      if (!env) throw notFound('Environment');
      const active = await repo.activeReleaseOf(tx, env.id);
      if (active) {
        if (!request.supersede) {
          throw conflict(`Environment already has an active release (#${active.number}, ${active.status}); pass supersede: true to replace it`, {
            // Clients only ever see global IDs: this one can be passed to release(id:) or abortRelease.
            activeReleaseId: toGlobalId('Release', active.id),
          });
        }
        const superseded = await applyInput(tx, active.id, { type: 'SUPERSEDE', reason: `superseded by release #${env.releaseCount + 1}` }, null, now);
        raiseMachineError(superseded);
        touched.push(active.id);
      }
      const number = env.releaseCount + 1;
      const version = `r${number}`;
      // A joint release's cluster side rolls the environment's Deployment in place (its steps are the load balancer's).
      const strategy = request.joint ? 'ROLLING' : plan.plan.strategy;
      const deployment = strategy === 'CANARY' ? `${app.name}-${version}` : (env.stableDeployment ?? `${app.name}-${version}`);
      const configRevision = await releaseRevision(tx, env.id, request.configRevision);
      const previousConfigRevision = env.stableReleaseId ? await repo.configRevisionOfRelease(tx, env.stableReleaseId) : null;
      const begun = startRelease(plan.plan, now);
      const onHosts = request.joint ? { strategy, status: 'PROGRESSING' as const, joint: request.joint } : {};
      const started = request.vm ? { ...begun, next: { ...begun.next, ...onHosts, vm: request.vm, statusMessage: `updating VM hosts (0/${request.vm.hosts.length} done)` } } : begun;
      const start = request.analysis && plan.plan.strategy === 'CANARY' ? { ...started, next: { ...started.next, analysis: request.analysis } } : started;
      if (request.analysis && plan.plan.strategy !== 'CANARY') throw badInput('input.analysis', 'input.analysis applies to CANARY releases only');
      await tx.update(environments).set({ releaseCount: number }).where(eq(environments.id, env.id));
      const row = await repo.insertRelease(tx, {
        id: randomUUID(),
        environmentId: env.id,
        number,
        image: request.image,
        version,
        strategy,
        status: start.next.status,
        statusMessage: start.next.statusMessage,
        state: encodeState(start.next),
        isRollback: request.isRollback,
        rollbackOf: request.rollbackOf,
        previousReleaseId: env.stableReleaseId,
        previousDeployment: env.stableDeployment,
        previousVersion: env.stableVersion,
        previousImage: env.stableImage,
        configRevision,
        previousConfigRevision,
        deployment,
        createdBy: scope.principal!.userId,
        buildId: request.buildId ?? null,
        createdAt: now,
      });
      const saved = await repo.saveTransition(tx, row, start.next, start.events);
      await recordAudit(tx, scope, { action: request.audit.action, targetType: 'Release', targetId: row.id, projectId: app.projectId, details: request.audit.details });
      touched.push(row.id);
      return { ...row, eventCount: row.eventCount + saved.events.length, rowVersion: row.rowVersion + 1 };
    });
    scope.loaders.environmentById.clear(environment.id);
    for (const id of touched) scope.releaseBus.publish(id);
    return release;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('Another release was started on this environment at the same time; retry', {});
    throw error;
  }
}

function raiseMachineError(result: CommitResult): void {
  if (typeof result === 'object' && 'error' in result) {
    throw new DomainError(result.error.code, result.error.message, { reason: result.error.reason });
  }
  if (result === 'LOST') throw notFound('Release');
}

/** Runs a user command through the machine, with its audit row, and announces the change. */
async function command(scope: RequestScope, globalId: string, cmd: ReleaseCommand, action: string, details: unknown): Promise<repo.ReleaseRow> {
  const id = idOf('Release', globalId, 'id');
  const existing = await requireVisibleRelease(scope, id);
  const { app } = await authorizeRelease(scope, existing.environmentId);
  const updated = await scope.db.transaction(async (tx) => {
    const result = await applyInput(tx, id, cmd, null, scope.clock.now());
    raiseMachineError(result);
    await recordAudit(tx, scope, { action, targetType: 'Release', targetId: id, projectId: app.projectId, details });
    const [row] = await repo.findReleasesByIds(tx, [id]);
    return row!;
  });
  scope.loaders.releaseById.clear(id).prime(id, updated);
  scope.releaseBus.publish(id);
  return updated;
}

export const promoteRelease = (scope: RequestScope, id: string, expectedStepIndex?: number | null) =>
  command(scope, id, { type: 'PROMOTE', expectedStepIndex: expectedStepIndex ?? null }, 'release.promote', { id, expectedStepIndex });
export const promoteReleaseFully = (scope: RequestScope, id: string) => command(scope, id, { type: 'PROMOTE_FULLY' }, 'release.promoteFully', { id });
export const pauseRelease = (scope: RequestScope, id: string) => command(scope, id, { type: 'PAUSE' }, 'release.pause', { id });
export const resumeRelease = (scope: RequestScope, id: string) => command(scope, id, { type: 'RESUME' }, 'release.resume', { id });
export function abortRelease(scope: RequestScope, id: string, reason?: string | null) {
  if (reason != null && reason.length > 500) throw badInput('reason', 'reason must be at most 500 characters');
  return command(scope, id, { type: 'ABORT', reason: reason ?? null }, 'release.abort', { id, reason });
}

/**
 * A fast release back to an earlier image: `toReleaseId`'s (a release that SUCCEEDED), or the
 * stable one before the current. Skips every pause, and supersedes a release in progress.
 */
export async function rollbackEnvironment(scope: RequestScope, environmentGlobalId: string, toReleaseGlobalId?: string | null): Promise<repo.ReleaseRow> {
  const environmentId = idOf('Environment', environmentGlobalId, 'environmentId');
  const { environment, app } = await authorizeRelease(scope, environmentId);
  let chosen: { release: repo.ReleaseRow; target: ReleaseTargetName } | null;
  if (toReleaseGlobalId != null) {
    const toId = idOf('Release', toReleaseGlobalId, 'toReleaseId');
    const target = (await repo.findReleasesByIds(scope.db, [toId]))[0];
    if (!target || target.environmentId !== environmentId) throw notFound('Release');
    // Rolling back means going to something that ran well: an image that never completed a
    // release (FAILED, ABORTED, SUPERSEDED) or is still rolling out is no such place.
    if (target.status !== 'SUCCEEDED') {
      throw badInput('toReleaseId', `Release #${target.number} is ${target.status}: roll back to a release that SUCCEEDED`);
    }
    chosen = { release: target, target: targetOfRelease(target) };
  } else {
    chosen = defaultRollbackTarget(await repo.succeededReleases(scope.db, environmentId, 50), environment);
    if (!chosen) throw conflict('There is no earlier successful release to roll back to');
  }
  const target = chosen.release;
  // A VM or JOINT release goes back on the hosts too (vm-rollback.ts).
  const onHosts = await planRollbackOnHosts(scope.db, environmentId, target, chosen.target);
  return startInEnvironment(scope, environment, app, {
    image: target.image,
    buildId: onHosts.buildId,
    strategy: null,
    steps: onHosts.steps,
    canaryReplicas: null,
    progressDeadlineSeconds: null,
    supersede: true,
    isRollback: true,
    rollbackOf: target.id,
    // Back to what ran well: the old image with the configuration it ran with.
    configRevision: target.configRevision,
    vm: onHosts.vm,
    joint: onHosts.joint,
    audit: { action: 'release.rollback', details: { environmentId: environmentGlobalId, toReleaseId: toReleaseGlobalId ?? null, image: target.image } },
  });
}
