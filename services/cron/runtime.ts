import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { cronJobRuns } from '../../db/schema/index.ts';
import { jobOutcome } from '../cluster/cron-manifests.ts';
import type { ClusterDirectory } from '../cluster/directory.ts';
import type { Clock } from '../shared/clock.ts';
import type { NotifyHub } from '../shared/notify.ts';
import { TopicBus } from '../shared/runtime/bus.ts';
import { appendLogLines, logStreamName, type LogLineFeed } from '../shared/runtime/log-lines.ts';
import { LeasedWorker, type LeasedJob, type ReconcileOutcome } from '../shared/runtime/worker.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import * as repo from './repository.ts';
import { discoverRuns, placeOf, syncCronJob } from './sync.ts';

export interface CronRuntimeOptions {
  db: Database;
  hub: NotifyHub;
  clusters: ClusterDirectory;
  box: SecretBox;
  logLines: LogLineFeed;
  clock: Clock;
  logger: Logger;
  tickMs?: number;
}

/** The log stream of a run: `cron-run:<run id>`. */
export const runStream = (runId: string) => logStreamName('cron-run', runId);

/**
 * Cron jobs on the shared runtime: the `cron` topic (ids of cron jobs and runs), one LeasedWorker
 * keeping each cron job's CronJob in line and recording the Jobs it starts, and one driving each
 * run until it finished and its pod's output is stored in its log stream.
 */
export class CronRuntime {
  readonly bus: TopicBus;
  private readonly jobs: LeasedWorker;
  private readonly runs: LeasedWorker;

  constructor(private readonly options: CronRuntimeOptions) {
    this.bus = new TopicBus(options.hub, 'cron');
    const common = { db: options.db, logger: options.logger, bus: this.bus, ...(options.tickMs !== undefined && { tickMs: options.tickMs }) };
    this.jobs = new LeasedWorker({
      ...common,
      kind: 'cron job',
      leases: repo.cronJobLeases,
      // A cron job is never settled: resync often enough that scheduled runs and a new stable release show up within seconds.
      resyncMs: 2_000,
      reconcile: (job) => this.reconcileJob(job),
      watch: (id, kick) => this.watchPods(id, kick),
    });
    this.runs = new LeasedWorker({ ...common, kind: 'cron run', leases: repo.cronRunLeases, reconcile: (job) => this.reconcileRun(job) });
  }

  start(): void {
    this.bus.start();
    this.jobs.start();
    this.runs.start();
  }

  async stop(): Promise<void> {
    await this.jobs.stop();
    await this.runs.stop();
    this.bus.stop();
  }

  /** Pods of the app changing (a run starting or ending) is a reason to look for new runs. */
  private async watchPods(id: string, kick: () => void): Promise<(() => void) | null> {
    const [job] = await repo.findCronJobsByIds(this.options.db, [id]);
    const place = job ? await placeOf(this.options.db, this.options.clusters, job) : null;
    return place ? place.port.watchApp(place.target.namespace, place.target.app, kick) : null;
  }

  private async reconcileJob(lease: LeasedJob): Promise<ReconcileOutcome> {
    const { db, clusters, box } = this.options;
    if (!lease.changed) return 'done';
    const [job] = await repo.findCronJobsByIds(db, [lease.id]);
    if (!job) return 'settled';
    const place = await placeOf(db, clusters, job);
    if (!place || !lease.stillLeader()) return place ? 'lost' : 'retry';
    await syncCronJob(db, box, place);
    for (const runId of await discoverRuns(db, place)) this.runs.kick(runId);
    return 'done';
  }

  /** Copies the run's new output lines into its stream, then records its outcome once the Job finished. */
  private async reconcileRun(lease: LeasedJob): Promise<ReconcileOutcome> {
    const { db, clusters, logLines, clock } = this.options;
    const fence = { owner: lease.owner, epoch: lease.epoch };
    const [run] = await repo.findRunsByIds(db, [lease.id]);
    if (!run || run.settledAt) return 'settled';
    const [job] = await repo.findCronJobsByIds(db, [run.cronJobId]);
    const place = job ? await placeOf(db, clusters, job) : null;
    if (!place) return 'retry';
    const { port, target } = place;
    const k8sJob = await port.read({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: run.jobName, namespace: target.namespace } });
    const pods = await port.list({ apiVersion: 'v1', kind: 'Pod', namespace: target.namespace }, `job-name=${run.jobName}`);
    const pod = pods.sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp))).at(-1);
    let copied = run.logLinesCopied;
    if (pod && lease.stillLeader()) {
      const text = (await port.podLog(target.namespace, pod.metadata.name)) ?? '';
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      const fresh = lines.slice(copied);
      if (fresh.length > 0) {
        const wrote = await db.transaction(async (tx) => {
          const updated = await tx
            .update(cronJobRuns)
            .set({ logLinesCopied: copied + fresh.length })
            .where(and(repo.cronRunLeases.fencedBy(fence), eq(cronJobRuns.id, run.id)))
            .returning({ id: cronJobRuns.id });
          if (updated.length === 0) return false;
          await appendLogLines(tx, runStream(run.id), fresh.map((message) => ({ source: pod.metadata.name, message })));
          return true;
        });
        if (!wrote) return 'lost';
        copied += fresh.length;
        logLines.bus.publish(runStream(run.id));
      }
    }
    // A Job deleted before it finished (deleteCronJob, REPLACE) ended its run as a failure.
    const outcome = k8sJob ? jobOutcome(k8sJob) : { status: 'FAILED' as const, at: null };
    if (!outcome) return 'done';
    const podDone = !pod || ['Succeeded', 'Failed'].includes(pod.status?.phase) || !k8sJob;
    await db
      .update(cronJobRuns)
      .set({ status: outcome.status, finishedAt: outcome.at ? new Date(outcome.at) : clock.now() })
      .where(and(repo.cronRunLeases.fencedBy(fence), eq(cronJobRuns.id, run.id)));
    this.bus.publish(run.cronJobId);
    // The pod's last lines are written as it ends: settle only once they are in.
    if (!podDone) return 'retry';
    await repo.cronRunLeases.settle(db, run.id, clock.now(), fence);
    return 'settled';
  }
}
