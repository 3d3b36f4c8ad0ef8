/**
 * The CronJob controller: creates a Job (`<cronjob>-<scheduled minute>`) at each scheduled
 * time of the simulated clock, applies the concurrency policy, keeps `status.active`,
 * `lastScheduleTime` and `lastSuccessfulTime`, and prunes finished Jobs past the history limits.
 */
import type { TimerHandle } from '../clock.ts';
import type { ChangeEvent } from '../history.ts';
import { cloneObject, controllerOf, controllerReference, objectKey, toKubeTime, type KubeObject } from '../objects.ts';
import type { Controller, ControllerContext } from './context.ts';
import { parseCronSchedule, type CronSchedule } from './cron-schedule.ts';
import { isJobFinished } from './jobs.ts';
import { WorkQueue } from './work-queue.ts';

interface CronJobSpecView {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  suspend?: boolean;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
}

function jobSucceeded(job: KubeObject): boolean {
  const conditions = ((job['status'] ?? {}) as { conditions?: Array<{ type: string; status: string }> }).conditions ?? [];
  return conditions.some((condition) => condition.type === 'Complete' && condition.status === 'True');
}

/** The schedule read in the CronJob's time zone (UTC by default), as the real controller reads it; null when invalid. */
function scheduleOf(spec: CronJobSpecView): CronSchedule | null {
  try {
    return parseCronSchedule(spec.schedule ?? '', spec.timeZone ?? 'Etc/UTC');
  } catch {
    return null;
  }
}

/** Runs CronJob schedules on the simulated clock. */
export class CronJobController implements Controller {
  private readonly timers = new Map<string, { schedule: string; timer: TimerHandle }>();
  private readonly queue: WorkQueue;

  constructor(private readonly context: ControllerContext) {
    this.queue = new WorkQueue(context.clock, (key) => this.syncStatus(key));
  }

  handle(event: ChangeEvent): void {
    const { object } = event;
    if (event.resource.id === 'cronjobs.batch') {
      if (event.type === 'DELETED') this.cancel(object.metadata.uid ?? '');
      else this.plan(object);
    }
    if (event.resource.id === 'jobs.batch') {
      const owner = controllerOf(object);
      if (owner?.kind !== 'CronJob') return;
      if (event.previous && !isJobFinished(event.previous) && isJobFinished(object)) {
        const cronJob = this.context.store.get('cronjobs', object.metadata.namespace, owner.name);
        const outcome = jobSucceeded(object) ? 'Complete' : 'Failed';
        if (cronJob) this.context.events.record(cronJob, 'Normal', 'SawCompletedJob', `Saw completed job: ${object.metadata.name}, condition: ${outcome}`, 'cronjob-controller');
      }
      this.queue.add(objectKey(object.metadata.namespace, owner.name));
    }
  }

  resync(): void {
    for (const cronJob of this.context.store.list('cronjobs')) {
      this.plan(cronJob);
      this.queue.add(objectKey(cronJob.metadata.namespace, cronJob.metadata.name));
    }
  }

  stop(): void {
    for (const { timer } of this.timers.values()) timer.cancel();
    this.timers.clear();
    this.queue.stop();
  }

  private cancel(uid: string): void {
    this.timers.get(uid)?.timer.cancel();
    this.timers.delete(uid);
  }

  /** Arms the timer for the next scheduled time (simulated), unless already armed for this schedule. */
  private plan(cronJob: KubeObject): void {
    const uid = cronJob.metadata.uid ?? '';
    const spec = (cronJob['spec'] ?? {}) as CronJobSpecView;
    const planKey = `${spec.schedule}|${spec.timeZone}|${spec.suspend}`;
    if (this.timers.get(uid)?.schedule === planKey) return;
    this.cancel(uid);
    if (spec.suspend || !spec.schedule) return;
    const simulatedNow = this.context.clock.simulatedNow();
    const schedule = scheduleOf(spec);
    const next = schedule?.next(simulatedNow);
    if (!schedule || !next) return;
    this.catchUp(cronJob, schedule, simulatedNow);
    const timer = this.context.clock.after(next.getTime() - simulatedNow.getTime(), () => {
      this.timers.delete(uid);
      this.fire(cronJob.metadata.namespace ?? '', cronJob.metadata.name, uid, next);
    });
    this.timers.set(uid, { schedule: planKey, timer });
  }

  /**
   * A schedule missed while the controller was not running (the cluster was stopped): the most
   * recent missed time still runs if it is within `startingDeadlineSeconds` (any, without one),
   * once, as the real controller does; older ones are skipped.
   */
  private catchUp(cronJob: KubeObject, schedule: CronSchedule, simulatedNow: Date): void {
    const status = (cronJob['status'] ?? {}) as { lastScheduleTime?: string };
    // Only a CronJob that ran before: creation times are wall-clock, schedules run on the simulated clock.
    const since = Date.parse(status.lastScheduleTime ?? '');
    const missed = schedule.previous(simulatedNow);
    if (!missed || Number.isNaN(since) || missed.getTime() <= since) return;
    this.fire(cronJob.metadata.namespace ?? '', cronJob.metadata.name, cronJob.metadata.uid ?? '', missed);
  }

  private fire(namespace: string, name: string, uid: string, scheduledAt: Date): void {
    const cronJob = this.context.store.get('cronjobs', namespace, name);
    if (!cronJob || cronJob.metadata.uid !== uid || cronJob.metadata.deletionTimestamp) return;
    const spec = (cronJob['spec'] ?? {}) as CronJobSpecView;
    const lateSeconds = (this.context.clock.simulatedNow().getTime() - scheduledAt.getTime()) / 1000;
    if (spec.startingDeadlineSeconds !== undefined && lateSeconds > spec.startingDeadlineSeconds) {
      this.context.events.record(cronJob, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${scheduledAt.toISOString()}`, 'cronjob-controller');
      return;
    }
    const active = this.ownedJobs(cronJob).filter((job) => !isJobFinished(job));
    const skip = spec.concurrencyPolicy === 'Forbid' && active.length > 0;
    if (spec.concurrencyPolicy === 'Replace') {
      for (const job of active) {
        this.context.api.delete('jobs', namespace, job.metadata.name, { propagationPolicy: 'Background' });
        this.context.events.record(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`, 'cronjob-controller');
      }
    }
    const jobName = `${name}-${Math.floor(scheduledAt.getTime() / 60_000)}`;
    if (!skip && !this.context.store.get('jobs', namespace, jobName)) {
      const template = spec.jobTemplate ?? {};
      this.context.api.create('jobs', namespace, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: jobName,
          namespace,
          labels: { ...template.metadata?.labels },
          annotations: { ...template.metadata?.annotations, 'batch.kubernetes.io/cronjob-scheduled-timestamp': scheduledAt.toISOString() },
          ownerReferences: [controllerReference(cronJob)],
        },
        spec: cloneObject(template.spec ?? {}),
      });
      this.context.events.record(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`, 'cronjob-controller');
      const current = this.context.store.get('cronjobs', namespace, name);
      if (current) {
        // The scheduled time, as the real controller records it (on the simulated clock schedules run on).
        const status = { ...(current['status'] as object), lastScheduleTime: toKubeTime(scheduledAt) };
        this.context.store.update('cronjobs', { ...current, metadata: { ...current.metadata }, status });
      }
    }
    const latest = this.context.store.get('cronjobs', namespace, name);
    if (latest) this.plan(latest);
    this.queue.add(objectKey(namespace, name));
  }

  private ownedJobs(cronJob: KubeObject): KubeObject[] {
    return this.context.store.list('jobs', { namespace: cronJob.metadata.namespace }).filter((job) => controllerOf(job)?.uid === cronJob.metadata.uid);
  }

  /** Keeps `status.active` and `lastSuccessfulTime` current and prunes old finished Jobs. */
  private syncStatus(key: string): void {
    const [namespace = '', name = ''] = key.split('/');
    const cronJob = this.context.store.get('cronjobs', namespace, name);
    if (!cronJob) return;
    const spec = (cronJob['spec'] ?? {}) as CronJobSpecView;
    const jobs = this.ownedJobs(cronJob).sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    const succeeded = jobs.filter((job) => isJobFinished(job) && jobSucceeded(job));
    const failed = jobs.filter((job) => isJobFinished(job) && !jobSucceeded(job));
    const prune = [...succeeded.slice(0, Math.max(0, succeeded.length - (spec.successfulJobsHistoryLimit ?? 3))), ...failed.slice(0, Math.max(0, failed.length - (spec.failedJobsHistoryLimit ?? 1)))];
    for (const job of prune) {
      this.context.api.delete('jobs', namespace, job.metadata.name, { propagationPolicy: 'Background' });
      this.context.events.record(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`, 'cronjob-controller');
    }
    const previous = (cronJob['status'] ?? {}) as Record<string, unknown>;
    const status: Record<string, unknown> = { ...previous };
    const active = jobs.filter((job) => !isJobFinished(job)).map((job) => ({ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace, uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion }));
    if (active.length > 0) status['active'] = active;
    else delete status['active'];
    const lastSuccess = succeeded.map((job) => (job['status'] as { completionTime?: string }).completionTime ?? '').sort().pop();
    if (lastSuccess) status['lastSuccessfulTime'] = lastSuccess;
    if (JSON.stringify(status) === JSON.stringify(previous)) return;
    this.context.store.update('cronjobs', { ...cronJob, metadata: { ...cronJob.metadata }, status });
  }
}
