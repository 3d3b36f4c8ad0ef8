import { KubeConfig } from '@kubernetes/client-node';
import { parseErrorPosition } from '../shared/parse-errors.ts';

/**
 * Parses a kubeconfig and checks it names a current context with a cluster and a user.
 * @throws Error with a message fit for the caller.
 */
export function parseKubeconfig(yaml: string, context?: string | null): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(yaml);
  } catch (error) {
    throw new Error(`kubeconfig is not valid YAML/JSON: ${parseErrorPosition(error)}`);
  }
  if (context) {
    if (!kc.getContextObject(context)) throw new Error(`kubeconfig has no context "${context}"`);
    kc.setCurrentContext(context);
  }
  const current = kc.getCurrentContext();
  if (!current || !kc.getContextObject(current)) throw new Error('kubeconfig has no current context');
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new Error('kubeconfig current context names no cluster with a server URL');
  try {
    new URL(cluster.server);
  } catch {
    throw new Error(`kubeconfig server "${cluster.server}" is not a URL`);
  }
  return kc;
}

/** Loads a kubeconfig file (GANTRY_CLUSTERS). */
export function loadKubeconfigFile(path: string, context: string | null): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return parseKubeconfig(kc.exportConfig(), context);
}
