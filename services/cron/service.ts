import { randomUUID } from 'node:crypto';
import { requireVisibleEnvironment } from '../apps/service.ts';
import type { EnvironmentRow } from '../apps/repository.ts';
import { recordAudit } from '../audit/record.ts';
import { authorizeConfigWrite } from '../config/service.ts';
import { manualJobManifest } from '../cluster/cron-manifests.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, conflict, isUniqueViolation, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { pageRequest, toConnection, type Connection, type PageArgs } from '../shared/pagination.ts';
import { deleteLogStream } from '../shared/runtime/log-lines.ts';
import { requireDnsLabel, requireImageReference } from '../shared/validation.ts';
import { CONCURRENCY_POLICIES, DEFAULT_TIME_ZONE, MAX_CRONJOB_NAME, requireCommand, requireSchedule, requireTimeZone, type ConcurrencyPolicy } from './model.ts';
import * as repo from './repository.ts';
import { runStream } from './runtime.ts';
import { cronJobName, discoverRuns, placeOf, syncCronJob } from './sync.ts';

function requirePolicy(field: string, value: string): ConcurrencyPolicy {
  if (!(CONCURRENCY_POLICIES as readonly string[]).includes(value)) throw badInput(field, `${field} must be one of ${CONCURRENCY_POLICIES.join(', ')}`);
  return value as ConcurrencyPolicy;
}

/** The cron job if the caller may do `write` (or read) its environment's config. @throws NOT_FOUND otherwise. */
export async function requireVisibleCronJob(scope: RequestScope, id: string, write = false) {
  const [job] = await repo.findCronJobsByIds(scope.db, [id]);
  if (!job) throw notFound('CronJob');
  const { environment, app } = write
    ? await authorizeConfigWrite(scope, job.environmentId)
    : await requireVisibleEnvironment(scope, job.environmentId, 'config.read').catch(() => {
        throw notFound('CronJob');
      });
  return { job, environment, app };
}

/** A run if the caller may read its cron job. */
export async function requireVisibleRun(scope: RequestScope, id: string): Promise<repo.CronJobRunRow> {
  const [run] = await repo.findRunsByIds(scope.db, [id]);
  if (!run) throw notFound('CronJobRun');
  await requireVisibleCronJob(scope, run.cronJobId);
  return run;
}

export function cronJobsOf(scope: RequestScope, environment: EnvironmentRow): Promise<repo.CronJobRow[]> {
  return repo.findCronJobsByEnvironments(scope.db, [environment.id]);
}

export async function runsOf(scope: RequestScope, job: repo.CronJobRow, args: PageArgs): Promise<Connection<repo.CronJobRunRow>> {
  const page = pageRequest(args);
  const before = page.after === null ? null : new Date(page.after);
  if (before && Number.isNaN(before.getTime())) throw badInput('after', 'after is not a valid cursor');
  const { rows, total } = await repo.listRuns(scope.db, job.id, before, page.first + 1);
  return toConnection(rows, page, total, (r) => r.startedAt.toISOString());
}

/** Writes the CronJob now (the worker does it again on its next pass if this fails). */
async function syncNow(scope: RequestScope, job: repo.CronJobRow): Promise<void> {
  scope.cron.bus.publish(job.id);
  const place = await placeOf(scope.db, scope.clusters, job);
  if (place) await syncCronJob(scope.db, scope.config.box, place).catch(() => {});
}

export interface CreateCronJobInput {
  environmentId: string;
  name: string;
  schedule: string;
  timeZone?: string | null;
  command: readonly string[];
  image?: string | null;
  concurrencyPolicy?: string | null;
}

export async function createCronJob(scope: RequestScope, input: CreateCronJobInput): Promise<repo.CronJobRow> {
  const environmentId = idOf('Environment', input.environmentId, 'input.environmentId');
  const name = requireDnsLabel('input.name', input.name, 40);
  const schedule = requireSchedule('input.schedule', input.schedule);
  const timeZone = requireTimeZone('input.timeZone', input.timeZone ?? DEFAULT_TIME_ZONE);
  const command = requireCommand('input.command', input.command);
  const image = input.image == null ? null : requireImageReference('input.image', input.image);
  const concurrencyPolicy = requirePolicy('input.concurrencyPolicy', input.concurrencyPolicy ?? 'ALLOW');
  const { environment, app } = await authorizeConfigWrite(scope, environmentId);
  if (cronJobName(app.name, name).length > MAX_CRONJOB_NAME) {
    throw badInput('input.name', `input.name is too long: the app's name, '-' and it must be at most ${MAX_CRONJOB_NAME} characters`);
  }
  if (!image && !environment.stableImage) throw badInput('input.image', 'input.image is required until the environment has a release whose image the job can run');
  try {
    const job = await scope.db.transaction(async (tx) => {
      const row = await repo.insertCronJob(tx, { id: randomUUID(), environmentId, name, schedule, timeZone, command, image, concurrencyPolicy, createdAt: scope.clock.now() });
      await recordAudit(tx, scope, { action: 'cronJob.create', targetType: 'CronJob', targetId: row.id, projectId: app.projectId, details: input, inputType: 'CreateCronJobInput' });
      return row;
    });
    await syncNow(scope, job);
    return job;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('The environment already has a cron job of this name', { field: 'input.name' });
    throw error;
  }
}

export interface UpdateCronJobInput {
  id: string;
  schedule?: string | null;
  timeZone?: string | null;
  command?: readonly string[] | null;
  image?: string | null;
  suspended?: boolean | null;
  concurrencyPolicy?: string | null;
}

export async function updateCronJob(scope: RequestScope, input: UpdateCronJobInput): Promise<repo.CronJobRow> {
  const id = idOf('CronJob', input.id, 'input.id');
  const patch: Partial<repo.CronJobRow> = {};
  if (input.schedule != null) patch.schedule = requireSchedule('input.schedule', input.schedule);
  if (input.timeZone != null) patch.timeZone = requireTimeZone('input.timeZone', input.timeZone);
  if (input.command != null) patch.command = requireCommand('input.command', input.command);
  // An empty string goes back to following the environment's release image.
  if (input.image != null) patch.image = input.image === '' ? null : requireImageReference('input.image', input.image);
  if (input.suspended != null) patch.suspended = input.suspended;
  if (input.concurrencyPolicy != null) patch.concurrencyPolicy = requirePolicy('input.concurrencyPolicy', input.concurrencyPolicy);
  const { job, environment, app } = await requireVisibleCronJob(scope, id, true);
  if (patch.image === null && !environment.stableImage) throw badInput('input.image', 'input.image is required until the environment has a release');
  const updated = await scope.db.transaction(async (tx) => {
    const row = await repo.updateCronJob(tx, id, job.version, patch);
    if (!row) throw conflict('The cron job was changed by someone else meanwhile; retry');
    await recordAudit(tx, scope, { action: 'cronJob.update', targetType: 'CronJob', targetId: id, projectId: app.projectId, details: input, inputType: 'UpdateCronJobInput' });
    return row;
  });
  await syncNow(scope, updated);
  return updated;
}

/** Deletes the cron job, its runs and their logs, then its CronJob and Jobs in the cluster. */
export async function deleteCronJob(scope: RequestScope, globalId: string): Promise<boolean> {
  const id = idOf('CronJob', globalId, 'id');
  const { job, app } = await requireVisibleCronJob(scope, id, true);
  const place = await placeOf(scope.db, scope.clusters, job);
  await scope.db.transaction(async (tx) => {
    const runs = await repo.deleteCronJob(tx, id);
    for (const run of runs) await deleteLogStream(tx, runStream(run.id));
    await recordAudit(tx, scope, { action: 'cronJob.delete', targetType: 'CronJob', targetId: id, projectId: app.projectId, details: { id: globalId, name: job.name } });
  });
  if (place) {
    const { port, target } = place;
    const name = cronJobName(target.app, job.name);
    // The Jobs go with their owner (garbage collection); removing them too does not wait for it.
    const jobs = await port.list({ apiVersion: 'batch/v1', kind: 'Job', namespace: target.namespace }, `gantry.io/cron-job=${job.name},app.kubernetes.io/instance=${target.app}-${target.environment}`).catch(() => []);
    await port.remove({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: target.namespace } }).catch(() => {});
    for (const j of jobs) await port.remove({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: j.metadata.name, namespace: target.namespace } }).catch(() => {});
  }
  return true;
}

/** Starts a Job from the cron job's template now (`manual: true`) and records it as a run. */
export async function triggerCronJob(scope: RequestScope, globalId: string): Promise<repo.CronJobRunRow> {
  const id = idOf('CronJob', globalId, 'id');
  const { job, app } = await requireVisibleCronJob(scope, id, true);
  const place = await placeOf(scope.db, scope.clusters, job);
  if (!place) throw conflict('The cron job\'s cluster is not connected; retry later');
  await syncCronJob(scope.db, scope.config.box, place);
  const name = cronJobName(place.target.app, job.name);
  const cronJob = await place.port.read({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: place.target.namespace } });
  if (!cronJob) throw conflict('The cron job has no CronJob in the cluster yet (the environment has no release image)');
  const jobName = `${name}-m${scope.clock.now().getTime().toString(36)}`;
  await place.port.apply(manualJobManifest(cronJob, jobName));
  await discoverRuns(scope.db, place);
  const runs = await repo.listRuns(scope.db, job.id, null, 100);
  const run = runs.rows.find((r) => r.jobName === jobName);
  if (!run) throw conflict('The run was started but could not be recorded yet; it will appear in runs');
  await scope.db.transaction((tx) =>
    recordAudit(tx, scope, { action: 'cronJob.trigger', targetType: 'CronJob', targetId: id, projectId: app.projectId, details: { id: globalId, job: jobName } }),
  );
  scope.cron.bus.publish(run.id);
  return run;
}
