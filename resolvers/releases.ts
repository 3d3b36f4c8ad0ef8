import { releaseSummaryColumns } from '../services/apps/columns.ts';
import { currentReleaseReadAhead } from '../services/apps/prefetch.ts';
import * as releases from '../services/releases/service.ts';
import { currentReleaseOf, eventsOf, releaseById, releasesOf, stateOfRelease, subscribeProgress } from '../services/releases/reads.ts';
import type { ReleaseView } from '../services/releases/repository.ts';
import { decodeState } from '../services/releases/state-codec.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import { encodeCursor } from '../services/shared/pagination.ts';
import type { Resolvers } from './types.generated.ts';

const state = async (release: ReleaseView, ctx: Parameters<typeof stateOfRelease>[0]) => decodeState(await stateOfRelease(ctx, release));

export const releaseResolvers: Resolvers = {
  Query: {
    release: (_, { id }, ctx) => releaseById(ctx, id),
  },
  Mutation: {
    createRelease: (_, { input }, ctx) => releases.createRelease(ctx, input),
    promoteRelease: (_, { id, expectedStepIndex }, ctx) => releases.promoteRelease(ctx, id, expectedStepIndex),
    promoteReleaseFully: (_, { id }, ctx) => releases.promoteReleaseFully(ctx, id),
    pauseRelease: (_, { id }, ctx) => releases.pauseRelease(ctx, id),
    resumeRelease: (_, { id }, ctx) => releases.resumeRelease(ctx, id),
    abortRelease: (_, { id, reason }, ctx) => releases.abortRelease(ctx, id, reason),
    rollbackEnvironment: (_, { environmentId, toReleaseId }, ctx) => releases.rollbackEnvironment(ctx, environmentId, toReleaseId),
  },
  Subscription: {
    releaseProgress: {
      subscribe: (_, { releaseId, after }, ctx) => subscribeProgress(ctx, releaseId, after),
      resolve: (payload: unknown) => payload as never,
    },
  },
  Release: {
    id: (release) => toGlobalId('Release', release.id),
    environment: async (release, _, ctx) => (await ctx.loaders.environmentById.load(release.environmentId))!,
    strategy: (release) => release.strategy as never,
    status: (release) => release.status as never,
    steps: async (release, _, ctx) => [...(await state(release, ctx)).steps],
    currentStepIndex: async (release, _, ctx) => (await state(release, ctx)).currentStepIndex,
    declaredWeight: async (release, _, ctx) => (await state(release, ctx)).declaredWeight,
    appliedWeight: async (release, _, ctx) => (await state(release, ctx)).appliedWeight,
    createdBy: async (release, _, ctx) =>
      (release.createdBy ? await ctx.loaders.userById.load(release.createdBy) : null) ?? { id: '00000000-0000-0000-0000-000000000000', login: 'deleted', name: null, isAdmin: false, createdAt: new Date(0), version: 0 },
    events: (release, args, ctx) => eventsOf(ctx, release, args),
  },
  ReleaseEvent: {
    cursor: (event) => encodeCursor(event.sequence),
    type: (event) => event.type as never,
    release: async (event, _, ctx) => (await ctx.loaders.releaseById.load(event.releaseId))!,
  },
  ReleaseStep: {
    status: (step) => step.status as never,
  },
  Environment: {
    currentRelease: (environment, _, ctx, info) => {
      const columns = releaseSummaryColumns(info);
      const ahead = currentReleaseReadAhead(ctx, environment, columns);
      return ahead !== undefined ? ahead : currentReleaseOf(ctx, environment, columns);
    },
    activeRelease: (environment, _, ctx) => ctx.loaders.activeReleaseByEnvironment.load(environment.id),
    releases: (environment, args, ctx) => releasesOf(ctx, environment, args),
  },
};
