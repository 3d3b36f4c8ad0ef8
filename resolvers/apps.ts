import * as apps from '../services/apps/service.ts';
import { environmentColumns } from '../services/apps/columns.ts';
import { environmentsReadAhead } from '../services/apps/prefetch.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import type { Resolvers } from './types.generated.ts';

export const appResolvers: Resolvers = {
  Mutation: {
    createApp: (_, { input }, ctx) => apps.createApp(ctx, input),
    updateApp: (_, { input }, ctx) => apps.updateApp(ctx, input),
    deleteApp: (_, { id }, ctx) => apps.deleteApp(ctx, id),
    createEnvironment: (_, { input }, ctx) => apps.createEnvironment(ctx, input),
    updateEnvironment: (_, { input }, ctx) => apps.updateEnvironment(ctx, input),
  },
  App: {
    id: (app) => toGlobalId('App', app.id),
    project: async (app, _, ctx) => (await ctx.loaders.projectById.load(app.projectId))!,
    language: (app) => app.language as never,
    environments: (app, _, ctx, info) => {
      const columns = environmentColumns(info);
      return environmentsReadAhead(ctx, app, columns) ?? apps.environmentsOfApp(ctx, app.id, columns);
    },
    environment: async (app, { name }, ctx) => (await apps.environmentsOfApp(ctx, app.id)).find((e) => e.name === name) ?? null,
  },
  Environment: {
    id: (environment) => toGlobalId('Environment', environment.id),
    app: async (environment, _, ctx) => (await ctx.loaders.appById.load(environment.appId))!,
    router: (environment) => environment.router as never,
    cluster: (environment, _, ctx) =>
      ctx.clusters.get(environment.cluster) ?? { name: environment.cluster, status: 'UNREACHABLE', version: null, lastSyncAt: null },
  },
};
