/**
 * A cron job as Kubernetes objects: a batch/v1 CronJob `<app>-<name>` in the environment's
 * namespace running the app's image with a config revision (env and files as a release's pods
 * get them), and the Job a manual trigger makes from it.
 */
import { LABELS } from './labels.ts';
import { baseLabels, type Manifest, type WorkloadTarget } from './manifests.ts';
import type { PodConfig } from './config-manifests.ts';

/** What a CronJob is made from. */
export interface CronJobSpec {
  name: string;
  schedule: string;
  timeZone: string;
  command: readonly string[];
  image: string;
  suspended: boolean;
  concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
  config: { revision: number; pod: PodConfig } | null;
}

export const cronJobName = (app: string, name: string) => `${app}-${name}`;

/** Labels of a cron job's CronJob, Jobs and pods: the app's, plus the job's name. */
export function cronLabels(target: WorkloadTarget, name: string): Record<string, string> {
  return { ...baseLabels(target), [LABELS.cronJob]: name };
}

export function cronJobManifest(target: WorkloadTarget, spec: CronJobSpec): Manifest {
  const labels = cronLabels(target, spec.name);
  const metadataLabels = spec.config ? { ...labels, [LABELS.configRevision]: String(spec.config.revision) } : labels;
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: cronJobName(target.app, spec.name), namespace: target.namespace, labels: metadataLabels },
    spec: {
      schedule: spec.schedule,
      timeZone: spec.timeZone,
      suspend: spec.suspended,
      concurrencyPolicy: spec.concurrencyPolicy,
      // A run that could not start within a minute of its time is skipped, not started late in a pile.
      startingDeadlineSeconds: 60,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          // One pod per run: its output is the run's log, and a failure is the run's outcome.
          backoffLimit: 0,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'job',
                  image: spec.image,
                  command: [...spec.command],
                  ...(spec.config && { env: spec.config.pod.env, volumeMounts: spec.config.pod.volumeMounts }),
                },
              ],
              ...(spec.config && { volumes: spec.config.pod.volumes }),
            },
          },
        },
      },
    },
  };
}

/** The Job `triggerCronJob` starts: the CronJob's template, owned by it, marked manual as kubectl does. */
export function manualJobManifest(cronJob: Record<string, any>, jobName: string): Manifest {
  const template = cronJob.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName,
      namespace: cronJob.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata.name, uid: cronJob.metadata.uid, controller: true, blockOwnerDeletion: true }],
    } as Manifest['metadata'],
    spec: template.spec ?? {},
  };
}

/** A Job's outcome from its conditions: null while it runs. */
export function jobOutcome(job: Record<string, any>): { status: 'SUCCEEDED' | 'FAILED'; at: string | null } | null {
  const conditions: Record<string, any>[] = job.status?.conditions ?? [];
  const done = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return null;
  return { status: done.type === 'Complete' ? 'SUCCEEDED' : 'FAILED', at: job.status?.completionTime ?? done.lastTransitionTime ?? null };
}
