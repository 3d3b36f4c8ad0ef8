import * as config from '../services/config/service.ts';
import { subscribeConfigChanged } from '../services/config/subscribe.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import type { Resolvers } from './types.generated.ts';

const DELETED_USER = { id: '00000000-0000-0000-0000-000000000000', login: 'deleted', name: null, isAdmin: false, createdAt: new Date(0), version: 0 };

export const configResolvers: Resolvers = {
  Mutation: {
    updateConfig: (_, { input }, ctx) => config.updateConfig(ctx, input),
    setSecret: (_, { input }, ctx) => config.setSecret(ctx, input),
    deleteSecret: (_, { environmentId, name }, ctx) => config.deleteSecret(ctx, environmentId, name),
  },
  Subscription: {
    configChanged: {
      subscribe: (_, { environmentId }, ctx) => subscribeConfigChanged(ctx, environmentId),
      resolve: (payload: unknown) => payload as never,
    },
  },
  ConfigRevision: {
    id: (revision) => toGlobalId('ConfigRevision', revision.id),
    environment: async (revision, _, ctx) => (await ctx.loaders.environmentById.load(revision.environmentId))!,
    // Names and dates only: a sealed value never leaves the service layer.
    secrets: (revision) => revision.secrets.map((s) => ({ name: s.name, updatedAt: s.updatedAt })),
    createdBy: async (revision, _, ctx) => (revision.createdBy ? await ctx.loaders.userById.load(revision.createdBy) : null) ?? DELETED_USER,
  },
  Environment: {
    config: (environment, _, ctx) => config.latestConfig(ctx, environment),
    configRevisions: (environment, args, ctx) => config.configRevisionsOf(ctx, environment, args),
  },
  Release: {
    configRevision: async (release, _, ctx) => (await config.configRevisionOf(ctx, release.environmentId, release.configRevision))!,
  },
};
