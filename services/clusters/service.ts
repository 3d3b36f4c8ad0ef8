import { requireAdmin } from '../access/policy.ts';
import { recordAudit } from '../audit/record.ts';
import type { ClusterInfo } from '../cluster/directory.ts';
import { clusters as clustersTable } from '../../db/schema/index.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, conflict, isUniqueViolation } from '../shared/errors.ts';
import { requireDnsLabel } from '../shared/validation.ts';

/** Largest kubeconfig accepted; real ones are a few KB. */
const MAX_KUBECONFIG_BYTES = 256 * 1024;

/**
 * Admins only: stores a cluster's kubeconfig (encrypted) and connects it. The kubeconfig is
 * audited as "[REDACTED]" and never returned by the API.
 */
export async function registerCluster(scope: RequestScope, name: string, kubeconfig: string): Promise<ClusterInfo> {
  const principal = requireAdmin(scope.principal, 'register clusters');
  requireDnsLabel('name', name);
  if (Buffer.byteLength(kubeconfig) > MAX_KUBECONFIG_BYTES) throw badInput('kubeconfig', 'kubeconfig is over 256 KiB');
  const prepared = scope.clusters.prepareRegistration(name, kubeconfig);
  if ('error' in prepared) {
    if (scope.clusters.get(name)) throw conflict(prepared.error, { field: 'name' });
    throw badInput('kubeconfig', prepared.error);
  }
  try {
    await scope.db.transaction(async (tx) => {
      await tx.insert(clustersTable).values({ name, kubeconfigCiphertext: prepared.sealed, createdBy: principal.userId });
      await recordAudit(tx, scope, { action: 'cluster.register', targetType: 'Cluster', targetId: null, projectId: null, details: { name, kubeconfig } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`Cluster "${name}" already exists`, { field: 'name' });
    throw error;
  }
  return scope.clusters.connectRegistered(name, kubeconfig);
}
