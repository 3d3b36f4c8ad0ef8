import { requirePrincipal } from '../services/access/policy.ts';
import type { Resolvers } from './types.generated.ts';

export const clusterResolvers: Resolvers = {
  Query: {
    clusters: (_, __, ctx) => {
      requirePrincipal(ctx.principal);
      return ctx.clusters.list();
    },
  },
};
