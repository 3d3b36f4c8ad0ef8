import { appResolvers } from './apps.ts';
import { configResolvers } from './config.ts';
import { cronResolvers } from './cron.ts';
import { clusterResolvers, workloadFieldResolvers } from './clusters.ts';
import { identityResolvers } from './identity.ts';
import { logLineResolvers } from './log-lines.ts';
import { logsResolvers } from './logs.ts';
import { metricsResolvers } from './metrics.ts';
import { alertResolvers } from './alerts.ts';
import { nodeResolvers } from './node.ts';
import { projectResolvers } from './projects.ts';
import { releaseResolvers } from './releases.ts';
import { buildResolvers } from './builds.ts';
import { vmResolvers } from './vms.ts';
import { DateTime, JSON } from './scalars.ts';
import type { Resolvers } from './types.generated.ts';

const domains: Resolvers[] = [nodeResolvers, identityResolvers, projectResolvers, appResolvers, clusterResolvers, workloadFieldResolvers, releaseResolvers, logLineResolvers, logsResolvers, buildResolvers, configResolvers, cronResolvers, metricsResolvers, alertResolvers, vmResolvers];

/** All resolvers, merged per type; a field defined twice is a programming error. */
export function allResolvers(): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const domain of domains) {
    for (const [typeName, fields] of Object.entries(domain)) {
      const target = (merged[typeName] ??= {});
      for (const [field, resolver] of Object.entries(fields as Record<string, unknown>)) {
        if (field in target) throw new Error(`Resolver ${typeName}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  return { ...(merged as Resolvers), DateTime, JSON };
}
