import { requirePrincipal } from '../services/access/policy.ts';
import * as identity from '../services/identity/service.ts';
import { notFound } from '../services/shared/errors.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import type { Resolvers } from './types.generated.ts';

export const identityResolvers: Resolvers = {
  Query: {
    viewer: async (_, __, ctx) => {
      const principal = requirePrincipal(ctx.principal);
      const user = await ctx.loaders.userById.load(principal.userId);
      if (!user) throw notFound('User');
      return user;
    },
  },
  Mutation: {
    createUser: (_, { input }, ctx) => identity.createUser(ctx, input),
    createApiToken: (_, { input }, ctx) => identity.createApiToken(ctx, input),
    revokeApiToken: (_, { id }, ctx) => identity.revokeApiToken(ctx, id),
  },
  User: {
    id: (user) => toGlobalId('User', user.id),
    isAdmin: (user, _, ctx) => identity.visibleIsAdmin(ctx.principal, user),
    apiTokens: (user, _, ctx) => {
      const principal = requirePrincipal(ctx.principal);
      // Others' tokens are private: an empty list, not an error, so `members { user { apiTokens } }` still works.
      if (user.id !== principal.userId && !principal.isAdmin) return [];
      return ctx.loaders.activeTokensByUser.load(user.id);
    },
  },
  ApiToken: {
    id: (token) => toGlobalId('ApiToken', token.id),
  },
};
