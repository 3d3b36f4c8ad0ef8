import * as metrics from '../services/metrics/service.ts';
import type { Resolvers } from './types.generated.ts';

export const metricsResolvers: Resolvers = {
  AnalysisMeasurement: {
    metric: (m) => m.metric as never,
  },
  Mutation: {
    updateMetricsEndpoint: (_, { appId, endpoint }, ctx) => metrics.updateMetricsEndpoint(ctx, appId, endpoint),
  },
  App: {
    metricsEndpoint: (app, _, ctx) => metrics.metricsEndpointOf(ctx, app.id),
  },
  Environment: {
    metrics: (environment, args, ctx) => metrics.environmentMetrics(ctx, environment, args.metrics, args.range, args.byVersion ?? false),
    customMetric: (environment, args, ctx) => metrics.customMetric(ctx, environment, args.name, args.range, args.byVersion ?? false),
  },
  Release: {
    observedWeight: (release, _, ctx) => metrics.observedWeight(ctx, release),
    analysis: (release, _, ctx) => metrics.analysisOf(ctx, release),
  },
};
