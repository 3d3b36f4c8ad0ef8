/**
 * The Job controller: runs pods until `completions` succeed (Complete) or more than
 * `backoffLimit` fail (Failed, BackoffLimitExceeded), `parallelism` at a time, and reports
 * active/ready/succeeded/failed counts. Images whose tag contains `fail` exit non-zero.
 */
import type { ChangeEvent } from '../history.ts';
import { cloneObject, controllerOf, controllerReference, objectKey, randomSuffix, toKubeTime, type KubeObject } from '../objects.ts';
import type { Controller, ControllerContext } from './context.ts';
import { isPodActive, isPodReady, podParts } from './pod-status.ts';
import { podsControlledBy } from './replicaset.ts';
import { WorkQueue } from './work-queue.ts';

interface JobSpecView {
  parallelism?: number;
  completions?: number;
  backoffLimit?: number;
  suspend?: boolean;
  ttlSecondsAfterFinished?: number;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
}

interface JobCondition {
  type: string;
  status: 'True' | 'False';
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

interface JobStatusView {
  startTime?: string;
  completionTime?: string;
  active?: number;
  ready?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  conditions?: JobCondition[];
  uncountedTerminatedPods?: Record<string, never>;
}

/** Returns true once a Job has a Complete or Failed condition. */
export function isJobFinished(job: KubeObject): boolean {
  const conditions = ((job['status'] ?? {}) as JobStatusView).conditions ?? [];
  return conditions.some((condition) => (condition.type === 'Complete' || condition.type === 'Failed') && condition.status === 'True');
}

/** Reconciles Jobs into pods. */
export class JobController implements Controller {
  private readonly queue: WorkQueue;

  constructor(private readonly context: ControllerContext) {
    this.queue = new WorkQueue(context.clock, (key) => this.reconcile(key));
  }

  handle(event: ChangeEvent): void {
    const { object } = event;
    if (event.resource.id === 'jobs.batch' && event.type !== 'DELETED') this.queue.add(objectKey(object.metadata.namespace, object.metadata.name));
    if (event.resource.id === 'pods') {
      const owner = controllerOf(object);
      if (owner?.kind === 'Job') this.queue.add(objectKey(object.metadata.namespace, owner.name));
    }
  }

  resync(): void {
    for (const job of this.context.store.list('jobs')) this.queue.add(objectKey(job.metadata.namespace, job.metadata.name));
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(key: string): void {
    const [namespace = '', name = ''] = key.split('/');
    const job = this.context.store.get('jobs', namespace, name);
    if (!job || job.metadata.deletionTimestamp) return;
    const spec = (job['spec'] ?? {}) as JobSpecView;
    const previous = (job['status'] ?? {}) as JobStatusView;
    if (isJobFinished(job)) return this.expireIfDue(job, spec, previous);

    const pods = podsControlledBy(this.context, job);
    const active = pods.filter(isPodActive);
    const succeeded = pods.filter((pod) => podParts(pod).status.phase === 'Succeeded').length;
    const failed = pods.filter((pod) => podParts(pod).status.phase === 'Failed').length;
    const completions = spec.completions ?? 1;
    const now = this.context.clock.now();
    const stamp = toKubeTime(now);
    const status: JobStatusView = { ...previous, startTime: previous.startTime ?? stamp, uncountedTerminatedPods: {} };

    if (succeeded >= completions) {
      status.completionTime = stamp;
      status.conditions = [
        { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: stamp, lastTransitionTime: stamp, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
        { type: 'Complete', status: 'True', lastProbeTime: stamp, lastTransitionTime: stamp, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
      ];
      this.context.events.record(job, 'Normal', 'Completed', 'Job completed', 'job-controller');
    } else if (failed > (spec.backoffLimit ?? 6)) {
      for (const pod of active) this.context.api.delete('pods', namespace, pod.metadata.name, { gracePeriodSeconds: 0 });
      const message = 'Job has reached the specified backoff limit';
      status.conditions = [
        { type: 'FailureTarget', status: 'True', lastProbeTime: stamp, lastTransitionTime: stamp, reason: 'BackoffLimitExceeded', message },
        { type: 'Failed', status: 'True', lastProbeTime: stamp, lastTransitionTime: stamp, reason: 'BackoffLimitExceeded', message },
      ];
      this.context.events.record(job, 'Warning', 'BackoffLimitExceeded', message, 'job-controller');
    } else if (!spec.suspend) {
      const wanted = Math.min(spec.parallelism ?? 1, completions - succeeded);
      for (let i = active.length; i < wanted; i++) this.createPod(job, spec);
    }
    const stillActive = podsControlledBy(this.context, job).filter(isPodActive);
    status.active = isJobFinished({ ...job, status }) ? 0 : stillActive.length;
    status.ready = stillActive.filter(isPodReady).length;
    if (succeeded > 0) status.succeeded = succeeded;
    if (failed > 0) status.failed = failed;
    status.terminating = pods.filter((pod) => pod.metadata.deletionTimestamp).length;
    if (JSON.stringify(status) === JSON.stringify(previous)) return;
    this.context.store.update('jobs', { ...job, metadata: { ...job.metadata }, status });
    if (isJobFinished({ ...job, status })) this.expireIfDue(job, spec, status);
  }

  private createPod(job: KubeObject, spec: JobSpecView): void {
    const template = spec.template ?? {};
    const name = `${job.metadata.name}-${randomSuffix(5)}`;
    const metadata: KubeObject['metadata'] = {
      name,
      generateName: `${job.metadata.name}-`,
      namespace: job.metadata.namespace ?? 'default',
      labels: { ...template.metadata?.labels },
      ownerReferences: [controllerReference(job)],
    };
    if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
    this.context.api.create('pods', metadata.namespace, { apiVersion: 'v1', kind: 'Pod', metadata, spec: cloneObject(template.spec ?? {}) });
    this.context.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'job-controller');
  }

  /** `ttlSecondsAfterFinished`: finished Jobs are deleted (with their pods) after the TTL. */
  private expireIfDue(job: KubeObject, spec: JobSpecView, status: JobStatusView): void {
    if (spec.ttlSecondsAfterFinished === undefined) return;
    const nowMs = this.context.clock.now().getTime();
    const finishedAt = Date.parse(status.completionTime ?? status.conditions?.[0]?.lastTransitionTime ?? '') || nowMs;
    const dueRealMs = finishedAt + this.context.clock.toRealMs(spec.ttlSecondsAfterFinished * 1000);
    const key = objectKey(job.metadata.namespace, job.metadata.name);
    if (nowMs >= dueRealMs) {
      this.context.api.delete('jobs', job.metadata.namespace, job.metadata.name, { propagationPolicy: 'Background' });
    } else {
      this.queue.addAfter(key, (dueRealMs - nowMs) / this.context.clock.timeScale + 1);
    }
  }
}
