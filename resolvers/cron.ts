import * as cron from '../services/cron/service.ts';
import { nextRunAt } from '../services/cron/model.ts';
import { runStream } from '../services/cron/runtime.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import { pageLogLines } from '../services/shared/runtime/log-lines.ts';
import type { Resolvers } from './types.generated.ts';

export const cronResolvers: Resolvers = {
  Mutation: {
    createCronJob: (_, { input }, ctx) => cron.createCronJob(ctx, input),
    updateCronJob: (_, { input }, ctx) => cron.updateCronJob(ctx, input),
    deleteCronJob: (_, { id }, ctx) => cron.deleteCronJob(ctx, id),
    triggerCronJob: (_, { id }, ctx) => cron.triggerCronJob(ctx, id),
  },
  CronJob: {
    id: (job) => toGlobalId('CronJob', job.id),
    environment: async (job, _, ctx) => (await ctx.loaders.environmentById.load(job.environmentId))!,
    concurrencyPolicy: (job) => job.concurrencyPolicy as never,
    nextRunAt: (job, _, ctx) => (job.suspended ? null : nextRunAt(job.schedule, job.timeZone, ctx.clock.now())),
    runs: (job, args, ctx) => cron.runsOf(ctx, job, args),
  },
  CronJobRun: {
    id: (run) => toGlobalId('CronJobRun', run.id),
    cronJob: async (run, _, ctx) => (await cron.requireVisibleCronJob(ctx, run.cronJobId)).job,
    status: (run) => run.status as never,
    log: (run, args, ctx) => pageLogLines(ctx.db, runStream(run.id), args),
  },
  Environment: {
    cronJobs: (environment, _, ctx) => cron.cronJobsOf(ctx, environment),
  },
};
