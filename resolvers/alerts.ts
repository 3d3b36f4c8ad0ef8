import * as alerts from '../services/alerts/service.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import type { Resolvers } from './types.generated.ts';

const deletedUser = { id: '00000000-0000-0000-0000-000000000000', login: 'deleted', name: null, isAdmin: false, createdAt: new Date(0), version: 0 };

export const alertResolvers: Resolvers = {
  Query: {
    alertTemplates: (_, __, ctx) => alerts.listTemplates(ctx),
  },
  Mutation: {
    createAlertTemplate: (_, { input }, ctx) => alerts.createAlertTemplate(ctx, input),
    subscribeToAlert: (_, { input }, ctx) => alerts.subscribeToAlert(ctx, input),
    unsubscribeFromAlert: (_, { id }, ctx) => alerts.unsubscribeFromAlert(ctx, id),
  },
  Subscription: {
    alertEvents: {
      subscribe: (_, { projectId }, ctx) => alerts.subscribeAlertEvents(ctx, projectId),
      resolve: (payload: unknown) => payload as never,
    },
  },
  AlertTemplate: {
    id: (t) => toGlobalId('AlertTemplate', t.id),
    severity: (t) => t.severity as never,
    parameters: (t) => alerts.parametersOf(t),
  },
  AlertSubscription: {
    id: (s) => toGlobalId('AlertSubscription', s.id),
    template: (s, _, ctx) => alerts.requireTemplate(ctx, s.templateId),
    environment: async (s, _, ctx) => (await ctx.loaders.environmentById.load(s.environmentId))!,
    createdBy: async (s, _, ctx) => (s.createdBy ? await ctx.loaders.userById.load(s.createdBy) : null) ?? deletedUser,
  },
  Alert: {
    id: (a) => toGlobalId('Alert', a.id),
    status: (a) => a.status as never,
    subscription: (a, _, ctx) => alerts.requireVisibleSubscription(ctx, a.subscriptionId),
  },
  Environment: {
    alertSubscriptions: (environment, _, ctx) => alerts.subscriptionsOfEnvironment(ctx, environment),
    alerts: (environment, { status, first, after }, ctx) => alerts.alertsOfEnvironment(ctx, environment, status, { first, after }),
  },
};
