import * as builds from '../services/builds/service.ts';
import { buildById, buildsOf, logOf, subscribeLogs, subscribeProgress } from '../services/builds/reads.ts';
import { allTemplates } from '../services/builds/templates.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import { encodeCursor } from '../services/shared/pagination.ts';
import type { Resolvers } from './types.generated.ts';

export const buildResolvers: Resolvers = {
  Query: {
    buildTemplates: () => allTemplates(),
    build: (_, { id }, ctx) => buildById(ctx, id),
  },
  Mutation: {
    setBuildSpec: (_, { appId, spec }, ctx) => builds.setBuildSpec(ctx, appId, spec),
    createBuild: (_, { input }, ctx) => builds.createBuild(ctx, input),
    cancelBuild: (_, { id }, ctx) => builds.cancelBuild(ctx, id),
    rotateWebhookSecret: (_, { appId }, ctx) => builds.rotateWebhookSecret(ctx, appId),
  },
  Subscription: {
    buildProgress: {
      subscribe: (_, { buildId, after }, ctx) => subscribeProgress(ctx, buildId, after),
      resolve: (payload: unknown) => payload as never,
    },
    buildLogs: {
      subscribe: (_, { buildId, after }, ctx) => subscribeLogs(ctx, buildId, after),
      resolve: (payload: unknown) => payload as never,
    },
  },
  Build: {
    id: (build) => toGlobalId('Build', build.id),
    app: async (build, _, ctx) => (await ctx.loaders.appById.load(build.appId))!,
    status: (build) => build.status as never,
    trigger: (build) => build.trigger as never,
    createdBy: async (build, _, ctx) => (build.createdBy ? ((await ctx.loaders.userById.load(build.createdBy)) ?? null) : null),
    artifacts: (build, _, ctx) =>
      build.artifacts.map((a) => (a.kind === 'TARBALL' && a.reference.startsWith('/') ? { ...a, reference: new URL(a.reference, ctx.builds.publicUrl()).toString() } : a)),
    log: (build, args, ctx) => logOf(ctx, build, args),
  },
  BuildStage: {
    status: (stage) => stage.status as never,
  },
  Artifact: {
    kind: (artifact) => artifact.kind as never,
  },
  BuildTemplate: {
    language: (template) => template.language,
  },
  BuildEvent: {
    cursor: (event) => encodeCursor(event.sequence),
    type: (event) => event.type as never,
    build: async (event, _, ctx) => (await ctx.loaders.buildById.load(event.buildId))!,
  },
  App: {
    buildSpec: (app, _, ctx) => builds.specTextOf(ctx, app),
    builds: (app, args, ctx) => buildsOf(ctx, app, args),
    webhookUrl: (app, _, ctx) => new URL(`/hooks/gitlab/${toGlobalId('App', app.id)}`, ctx.builds.publicUrl()).toString(),
  },
  Release: {
    build: (release, _, ctx) => (release.buildId ? ctx.loaders.buildById.load(release.buildId) : null),
  },
};
