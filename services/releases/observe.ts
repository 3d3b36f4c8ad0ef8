import type { ClusterPort } from '../cluster/directory.ts';
import { LABELS } from '../cluster/labels.ts';
import { canaryWeightOf, weightManifest } from '../cluster/manifests.ts';
import { canarySplit, type ReleaseLayout } from './cluster-plan.ts';
import type { Observation } from './model.ts';

/**
 * Reads the cluster for one release: pods and Deployments from the watch cache, and the router's
 * weight with a fresh GET, so WEIGHT_APPLIED records what the router object really says.
 * @throws when the router cannot be read: an unknown reading must never look like "0 ready".
 */
export async function observe(port: ClusterPort, layout: ReleaseLayout): Promise<Observation> {
  const { target, release, router } = layout;
  const snapshot = port.snapshot(target.namespace, target.app);
  const deployment = snapshot.deployments.find((d) => d.name === release.deployment && !d.deleting);
  const stable = release.previousDeployment ? snapshot.deployments.find((d) => d.name === release.previousDeployment) : undefined;

  let routerReady = false;
  if (router === 'ISTIO') {
    const rule = snapshot.destinationRules.find((d) => d.name === target.app);
    routerReady = Boolean(rule?.subsets.some((s) => s.name === 'canary' && s.labels[LABELS.version] === release.version));
  } else {
    const canaryService = snapshot.services.find((s) => s.name === `${target.app}-canary`);
    routerReady = canaryService?.selector[LABELS.version] === release.version;
  }
  const weightObject = await port.read(weightManifest(target, router, canarySplit(layout, 0)));
  const appliedCanaryWeight = routerReady ? canaryWeightOf(router, weightObject) : null;

  const desired = deployment?.desiredReplicas ?? 0;
  // A config-only release keeps the image: the revision label tells whether the template is ours
  // (Deployments from before config revisions carry none and ran revision 1).
  const runsOurConfig = (deployment?.labels[LABELS.configRevision] ?? '1') === String(release.configRevision);
  const current = Boolean(deployment && deployment.observedGeneration >= deployment.generation && deployment.image === release.image && runsOurConfig);
  return {
    type: 'OBSERVED',
    routerReady,
    appliedCanaryWeight,
    canaryReadyReplicas: deployment?.readyReplicas ?? 0,
    canaryDesiredReplicas: desired,
    stableReadyReplicas: stable?.readyReplicas ?? 0,
    deploymentUpdated: current && deployment!.updatedReplicas >= desired,
    deploymentAvailable: current && deployment!.availableReplicas >= desired && deployment!.replicas === desired && desired > 0,
  };
}
