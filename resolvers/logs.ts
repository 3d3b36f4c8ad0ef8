import { environmentLogs } from '../services/logs/service.ts';
import { subscribeLogTail, subscribeLogTailBatches } from '../services/logs/tail.ts';
import { logLineCursor } from '../services/shared/runtime/log-lines.ts';
import type { Resolvers } from './types.generated.ts';

/** Pod logs: an environment's stored history and its live tail (LogLine's own fields are in log-lines.ts). */
export const logsResolvers: Resolvers = {
  Environment: {
    logs: (environment, { filter, first, after }, ctx) => environmentLogs(ctx, environment, { filter, first, after }),
  },
  Subscription: {
    logTail: {
      subscribe: (_, { environmentId, filter, after }, ctx) => subscribeLogTail(ctx, environmentId, filter, after),
      resolve: (payload: unknown) => payload as never,
    },
    logTailBatches: {
      subscribe: (_, { environmentId, filter, after, maxLines, maxDelayMs }, ctx) => subscribeLogTailBatches(ctx, environmentId, filter, after, { maxLines, maxDelayMs }),
      resolve: (payload: unknown) => payload as never,
    },
  },
  LogLineBatch: {
    cursor: (batch) => logLineCursor(batch.last),
  },
};
