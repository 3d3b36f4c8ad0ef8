import { and, eq, isNull, ne } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { releases } from '../../db/schema/index.ts';
import { configObjectsSelector, type RenderedConfig } from '../cluster/config-manifests.ts';
import type { ClusterPort } from '../cluster/directory.ts';
import { LABELS } from '../cluster/labels.ts';
import type { WorkloadTarget } from '../cluster/manifests.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { findRevision } from './repository.ts';

/**
 * Revision `number` of an environment with its secrets opened, for writing its objects; null
 * when the environment has no such revision. Never cached, logged or returned by the API.
 */
export async function renderRevision(db: Database, box: SecretBox, environmentId: string, number: number): Promise<RenderedConfig | null> {
  const row = await findRevision(db, environmentId, number);
  if (!row) return null;
  return {
    revision: row.number,
    variables: row.variables,
    files: row.files,
    secrets: row.secrets.map((s) => ({ name: s.name, value: box.open(s.sealed) })),
  };
}

/**
 * Deletes the ConfigMaps and Secrets of an environment's revisions that nothing uses any more:
 * no Deployment or CronJob in the cluster refers to the revision (stopped Deployments kept for
 * rollback included) and no release in progress runs it. Run after a release settles, it also
 * removes what a crash between writing a revision's objects and using them left behind.
 */
export async function pruneConfigObjects(db: Database, port: ClusterPort, target: WorkloadTarget, environmentId: string, settlingReleaseId: string): Promise<void> {
  const selector = `${LABELS.instance}=${target.app}-${target.environment}`;
  const ns = target.namespace;
  const [deployments, cronJobs, configMaps, secrets, active] = await Promise.all([
    port.list({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns }, selector),
    port.list({ apiVersion: 'batch/v1', kind: 'CronJob', namespace: ns }, selector),
    port.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns }, configObjectsSelector(target)),
    port.list({ apiVersion: 'v1', kind: 'Secret', namespace: ns }, configObjectsSelector(target)),
    db
      .select({ n: releases.configRevision, previous: releases.previousConfigRevision })
      .from(releases)
      .where(and(eq(releases.environmentId, environmentId), isNull(releases.settledAt), ne(releases.id, settlingReleaseId))),
  ]);
  const inUse = new Set<string>();
  for (const d of deployments) if (!d.metadata?.deletionTimestamp) inUse.add(d.metadata?.labels?.[LABELS.configRevision]);
  for (const c of cronJobs) inUse.add(c.metadata?.labels?.[LABELS.configRevision]);
  for (const r of active) {
    inUse.add(String(r.n));
    if (r.previous !== null) inUse.add(String(r.previous));
  }
  for (const object of [...configMaps, ...secrets]) {
    const revision = object.metadata?.labels?.[LABELS.configRevision];
    if (revision === undefined || inUse.has(revision)) continue;
    await port.remove({ apiVersion: 'v1', kind: object.kind ?? (configMaps.includes(object) ? 'ConfigMap' : 'Secret'), metadata: { name: object.metadata.name, namespace: ns } });
  }
}
