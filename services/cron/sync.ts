/**
 * Keeps one cron job's CronJob in the cluster in line with Gantry's row and its environment
 * (image and config revision follow the stable release unless the job names its own image), and
 * records the Jobs the cluster started as runs. Level-triggered and idempotent: run by the cron
 * job worker on every change and resync, and once right after each mutation.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { configRevisions, releases } from '../../db/schema/index.ts';
import { namespaceOwnerSlug } from '../apps/namespaces.ts';
import { findAppsByIds, findEnvironmentsByIds, type AppRow, type EnvironmentRow } from '../apps/repository.ts';
import { configObjects, podConfig } from '../cluster/config-manifests.ts';
import { cronJobManifest, cronJobName, cronLabels } from '../cluster/cron-manifests.ts';
import type { ClusterDirectory, ClusterPort } from '../cluster/directory.ts';
import { LABELS } from '../cluster/labels.ts';
import { namespaceManifest, type Manifest, type WorkloadTarget } from '../cluster/manifests.ts';
import { renderRevision } from '../config/render.ts';
import { latestRevisions } from '../config/repository.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { KUBE_POLICY } from './model.ts';
import * as repo from './repository.ts';

/** A cron job with where it runs. */
export interface CronPlace {
  job: repo.CronJobRow;
  environment: EnvironmentRow;
  app: AppRow;
  port: ClusterPort;
  target: WorkloadTarget;
}

/** The job's environment, app, cluster port and target; null when any is gone or unknown. */
export async function placeOf(db: Database, clusters: ClusterDirectory, job: repo.CronJobRow): Promise<CronPlace | null> {
  const [environment] = await findEnvironmentsByIds(db, [job.environmentId]);
  const [app] = environment ? await findAppsByIds(db, [environment.appId]) : [];
  const port = environment ? clusters.port(environment.cluster) : null;
  if (!environment || !app || !port) return null;
  const project = await namespaceOwnerSlug(db, environment.cluster, environment.namespace);
  return { job, environment, app, port, target: { namespace: environment.namespace, app: app.name, environment: environment.name, project } };
}

/** The config revision cron runs use: the stable release's, or the latest before any release. */
export async function cronConfigRevision(db: Database, environment: EnvironmentRow): Promise<number> {
  if (environment.stableReleaseId) {
    const [row] = await db.select({ n: releases.configRevision }).from(releases).where(eq(releases.id, environment.stableReleaseId));
    if (row) return row.n;
  }
  const [latest] = await latestRevisions(db, [environment.id]);
  return latest?.number ?? 1;
}

/** True when revision `number` exists for the environment. */
export async function revisionExists(db: Database, environmentId: string, number: number): Promise<boolean> {
  const rows = await db.select({ id: configRevisions.id }).from(configRevisions).where(and(eq(configRevisions.environmentId, environmentId), eq(configRevisions.number, number)));
  return rows.length > 0;
}

async function ensure(port: ClusterPort, manifest: Manifest): Promise<void> {
  const live = await port.read(manifest);
  if (live && JSON.stringify(pick(live, manifest)) === JSON.stringify(manifest)) return;
  await port.apply(manifest);
}

/** `live` cut down to the keys `shape` has, recursively: "does the live object already say this?". */
function pick(live: unknown, shape: unknown): unknown {
  if (Array.isArray(shape)) return Array.isArray(live) ? shape.map((item, i) => pick(live[i], item)) : live;
  if (shape && typeof shape === 'object') {
    if (!live || typeof live !== 'object') return live;
    return Object.fromEntries(Object.keys(shape).map((k) => [k, pick((live as Record<string, unknown>)[k], (shape as Record<string, unknown>)[k])]));
  }
  return live;
}

/**
 * Applies the CronJob (after the namespace and its revision's ConfigMap and Secret) and copies its
 * last schedule time into the row. Does nothing while there is no image to run (no release yet).
 */
export async function syncCronJob(db: Database, box: SecretBox, place: CronPlace): Promise<void> {
  const { job, environment, port, target } = place;
  const image = job.image ?? environment.stableImage;
  if (!image) return;
  const config = await renderRevision(db, box, environment.id, await cronConfigRevision(db, environment));
  await ensure(port, namespaceManifest(target));
  for (const manifest of config ? configObjects(target, config) : []) await ensure(port, manifest);
  const manifest = cronJobManifest(target, {
    name: job.name,
    schedule: job.schedule,
    timeZone: job.timeZone,
    command: job.command,
    image,
    suspended: job.suspended,
    concurrencyPolicy: KUBE_POLICY[job.concurrencyPolicy],
    config: config ? { revision: config.revision, pod: podConfig(target.app, config) } : null,
  });
  await ensure(port, manifest);
  const live = await port.read(manifest);
  const lastSchedule = live?.status?.lastScheduleTime ? new Date(live.status.lastScheduleTime) : null;
  if (lastSchedule && lastSchedule.getTime() !== job.lastScheduleAt?.getTime()) {
    await repo.updateCronJob(db, job.id, job.version, { lastScheduleAt: lastSchedule });
  }
}

/** Records every Job of the cron job in the cluster as a run (once each: the run's id is the Job's uid). */
export async function discoverRuns(db: Database, place: CronPlace): Promise<string[]> {
  const { job, port, target } = place;
  const selector = Object.entries(cronLabels(target, job.name))
    .filter(([key]) => key !== LABELS.name)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const jobs = await port.list({ apiVersion: 'batch/v1', kind: 'Job', namespace: target.namespace }, selector);
  const ids: string[] = [];
  for (const k8sJob of jobs) {
    const uid = k8sJob.metadata?.uid;
    if (!uid) continue;
    ids.push(uid);
    await repo.recordRun(db, {
      id: uid,
      cronJobId: job.id,
      jobName: k8sJob.metadata.name,
      status: 'RUNNING',
      manual: k8sJob.metadata.annotations?.['cronjob.kubernetes.io/instantiate'] === 'manual',
      startedAt: new Date(k8sJob.status?.startTime ?? k8sJob.metadata.creationTimestamp ?? Date.now()),
    });
  }
  return ids;
}

export { cronJobName };
