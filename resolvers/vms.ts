import { requirePrincipal } from '../services/access/policy.ts';
import { hostStatus } from '../services/vms/model.ts';
import * as vms from '../services/vms/service.ts';
import { subscribeDesiredState, subscribeVmHostsChanged } from '../services/vms/subscriptions.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import { stateOfRelease } from '../services/releases/reads.ts';
import { decodeState } from '../services/releases/state-codec.ts';
import { targetOfState } from '../services/releases/vm-rollback.ts';
import type { Resolvers } from './types.generated.ts';

export const vmResolvers: Resolvers = {
  Mutation: {
    registerVmHost: (_, { environmentId, name }, ctx) => vms.registerVmHost(ctx, environmentId, name),
    revokeVmHost: (_, { id }, ctx) => vms.revokeVmHost(ctx, id),
    retireVmPool: (_, { environmentId }, ctx) => vms.retireVmPool(ctx, environmentId),
    reportVmHostStatus: (_, { input }, ctx) => vms.reportVmHostStatus(ctx, input),
  },
  Subscription: {
    vmHostsChanged: {
      subscribe: (_, { environmentId }, ctx) => subscribeVmHostsChanged(ctx, environmentId),
      resolve: (payload: unknown) => payload as never,
    },
    vmDesiredState: {
      subscribe: (_, __, ctx) => subscribeDesiredState(ctx),
      resolve: (payload: unknown) => payload as never,
    },
  },
  Environment: {
    vmHosts: (environment, _, ctx) => vms.vmHostsOf(ctx, environment),
    trafficSplit: (environment, _, ctx) => vms.trafficSplitOf(ctx, environment),
  },
  Release: {
    target: async (release, _, ctx) => targetOfState(decodeState(await stateOfRelease(ctx, release))),
  },
  VmHost: {
    id: (host) => toGlobalId('VmHost', host.id),
    // People only: an agent's token reads its host, never the environment behind it.
    environment: async (host, _, ctx) => {
      requirePrincipal(ctx.principal);
      return (await ctx.loaders.environmentById.load(host.environmentId))!;
    },
    status: (host, _, ctx) => hostStatus(host, ctx.clock.now().getTime(), ctx.vms.offlineAfterMs),
    version: (host) => host.reportedVersion,
  },
};
