import { count, eq } from 'drizzle-orm';
import { requireAdmin } from '../access/policy.ts';
import { recordAudit } from '../audit/record.ts';
import type { ClusterInfo } from '../cluster/directory.ts';
import { clusters as clustersTable, environments } from '../../db/schema/index.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, conflict, isUniqueViolation, notFound } from '../shared/errors.ts';
import { requireDnsLabel } from '../shared/validation.ts';

/** Largest kubeconfig accepted; real ones are a few KB. */
const MAX_KUBECONFIG_BYTES = 256 * 1024;

/**
 * Admins only: checks a cluster's kubeconfig (inline credentials, https servers: nothing that
 * runs a command or reads a file on Gantry's host), stores it encrypted and starts connecting
 * it in the background: the answer does not wait for the cluster. The kubeconfig is audited as
 * "[REDACTED]" and never returned by the API.
 */
export async function registerCluster(scope: RequestScope, name: string, kubeconfig: string): Promise<ClusterInfo> {
  const principal = requireAdmin(scope.principal, 'register clusters');
  requireDnsLabel('name', name);
  if (Buffer.byteLength(kubeconfig) > MAX_KUBECONFIG_BYTES) throw badInput('kubeconfig', 'kubeconfig is over 256 KiB');
  const prepared = scope.clusters.prepareRegistration(name, kubeconfig);
  if ('error' in prepared) {
    if (prepared.field === 'name') throw conflict(prepared.error, { field: 'name' });
    throw badInput(prepared.field, prepared.error);
  }
  try {
    await scope.db.transaction(async (tx) => {
      await tx.insert(clustersTable).values({ name, kubeconfigCiphertext: prepared.sealed, createdBy: principal.userId });
      await recordAudit(tx, scope, { action: 'cluster.register', targetType: 'Cluster', targetId: null, projectId: null, details: { name, kubeconfig } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A cluster with this name already exists`, { field: 'name' });
    throw error;
  }
  return scope.clusters.connectRegistered(name, kubeconfig);
}

/**
 * Admins only: forgets a registered cluster: deletes its stored kubeconfig and stops its
 * watches. Refused while any environment lives on it (only a count is given: the
 * environments may belong to projects the caller should not learn about).
 * @returns the cluster as it was just before.
 */
export async function unregisterCluster(scope: RequestScope, name: string): Promise<ClusterInfo> {
  requireAdmin(scope.principal, 'unregister clusters');
  const source = scope.clusters.sourceOf(name);
  if (!source) throw notFound('Cluster');
  if (source !== 'registered') {
    const origin = source === 'embedded' ? 'the embedded cluster' : 'configured by GANTRY_CLUSTERS';
    throw badInput('name', `This cluster is ${origin}, not registered through the API: it cannot be unregistered`);
  }
  const before = scope.clusters.get(name)!;
  let goneAlready = false;
  await scope.db.transaction(async (tx) => {
    // Lock the row first, so two unregistrations of one name serialise on it.
    const [row] = await tx.select({ name: clustersTable.name }).from(clustersTable).where(eq(clustersTable.name, name)).for('update');
    // Another Gantry process unregistered it: forget it here too, and answer as for an unknown name.
    if (!row) {
      goneAlready = true;
      return;
    }
    const [{ n }] = (await tx.select({ n: count() }).from(environments).where(eq(environments.cluster, name))) as [{ n: number }];
    if (Number(n) > 0) {
      throw conflict(`The cluster still hosts ${n} environment${Number(n) === 1 ? '' : 's'}; delete their apps first`, { field: 'name' });
    }
    await tx.delete(clustersTable).where(eq(clustersTable.name, name));
    await recordAudit(tx, scope, { action: 'cluster.unregister', targetType: 'Cluster', targetId: null, projectId: null, details: { name } });
  });
  await scope.clusters.unregister(name);
  if (goneAlready) throw notFound('Cluster');
  return before;
}
