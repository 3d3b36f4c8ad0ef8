/**
 * Labels Gantry sets on everything it creates, and finds workloads by. Documented in the README.
 */
export const LABELS = {
  /** The app's name: `checkout`. */
  name: 'app.kubernetes.io/name',
  /** The app in one environment: `checkout-prod`. */
  instance: 'app.kubernetes.io/instance',
  /** Always `gantry`; the cluster watches select on it. */
  managedBy: 'app.kubernetes.io/managed-by',
  /** The release version a Deployment and its pods carry: `r12-3f9c2a1`. */
  version: 'app.kubernetes.io/version',
  /** The Deployment a pod belongs to: the selector, so a Deployment can change version in place (ROLLING). */
  deployment: 'gantry.io/deployment',
  /** The track of a per-track object (Gateway API Services): `stable` or `canary`. */
  track: 'gantry.io/track',
  /** On namespaces Gantry creates: the slug of the project that owns the namespace. */
  project: 'gantry.io/project',
  /** The config revision a ConfigMap, Secret, Deployment or CronJob belongs to or runs with: `3`. */
  configRevision: 'gantry.io/config-revision',
  /** A cron job's name, on its CronJob and Jobs: `nightly-report`. */
  cronJob: 'gantry.io/cron-job',
} as const;

export const MANAGED_BY = 'gantry';
/** The field manager of Gantry's server-side apply writes. */
export const FIELD_MANAGER = 'gantry';
/** Only objects Gantry manages are watched and cached. */
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;
