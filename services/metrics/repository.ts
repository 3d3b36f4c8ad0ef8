import { eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { appMetricsEndpoints, apps, environments } from '../../db/schema/index.ts';

export type MetricsEndpointRow = typeof appMetricsEndpoints.$inferSelect;

/** Endpoints of the given apps (absent: none set). */
export function findEndpointsByApps(tx: Tx, appIds: readonly string[]): Promise<MetricsEndpointRow[]> {
  if (appIds.length === 0) return Promise.resolve([]);
  return tx.select().from(appMetricsEndpoints).where(inArray(appMetricsEndpoints.appId, [...appIds]));
}

/** Sets (or with null, removes) an app's endpoint. */
export async function saveEndpoint(tx: Tx, appId: string, endpoint: { port: number; path: string } | null, at: Date): Promise<void> {
  if (!endpoint) {
    await tx.delete(appMetricsEndpoints).where(eq(appMetricsEndpoints.appId, appId));
    return;
  }
  await tx
    .insert(appMetricsEndpoints)
    .values({ appId, port: endpoint.port, path: endpoint.path, updatedAt: at })
    .onConflictDoUpdate({ target: appMetricsEndpoints.appId, set: { port: endpoint.port, path: endpoint.path, updatedAt: at } });
}

/** Every environment of an app with an endpoint: what the scrape targets are made of. */
export function findScrapedEnvironments(tx: Tx) {
  return tx
    .select({
      appId: apps.id,
      app: apps.name,
      environment: environments.name,
      cluster: environments.cluster,
      namespace: environments.namespace,
      port: appMetricsEndpoints.port,
      path: appMetricsEndpoints.path,
    })
    .from(appMetricsEndpoints)
    .innerJoin(apps, eq(apps.id, appMetricsEndpoints.appId))
    .innerJoin(environments, eq(environments.appId, apps.id))
    .orderBy(environments.cluster, environments.namespace, apps.name);
}
