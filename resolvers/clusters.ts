import { requirePrincipal } from '../services/access/policy.ts';
import { registerCluster, unregisterCluster } from '../services/clusters/service.ts';
import { environmentWorkload, subscribePodEvents, subscribeWorkload, workloadReplicas } from '../services/workloads/service.ts';
import type { Resolvers } from './types.generated.ts';

export const clusterResolvers: Resolvers = {
  Query: {
    clusters: (_, __, ctx) => {
      requirePrincipal(ctx.principal);
      return ctx.clusters.list();
    },
  },
  Mutation: {
    registerCluster: (_, { name, kubeconfig }, ctx) => registerCluster(ctx, name, kubeconfig),
    unregisterCluster: (_, { name }, ctx) => unregisterCluster(ctx, name),
  },
  Subscription: {
    workloadChanged: {
      subscribe: (_, { environmentId }, ctx) => subscribeWorkload(ctx, environmentId),
      resolve: (payload: unknown) => payload as never,
    },
    podEvents: {
      subscribe: (_, { environmentId }, ctx) => subscribePodEvents(ctx, environmentId),
      resolve: (payload: unknown) => payload as never,
    },
  },
};

export const workloadFieldResolvers: Resolvers = {
  Environment: {
    workload: async (environment, _, ctx) => environmentWorkload(ctx, environment, (await ctx.loaders.appById.load(environment.appId))!),
  },
  Workload: {
    declaredReplicas: async (view, _, ctx) => (await workloadReplicas(ctx, view)).declaredReplicas,
    stableReplicas: async (view, _, ctx) => (await workloadReplicas(ctx, view)).stableReplicas,
    drift: async (view, _, ctx) => (await workloadReplicas(ctx, view)).drift,
  },
};
