/**
 * The kubeconfig that points kubectl and client-node at the embedded server.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/** The cluster, context and user name used in the generated kubeconfig. */
export const KUBECONFIG_NAME = 'gantry-embedded';

/** Renders a kubeconfig for `server` (plain http) with a bearer token. */
export function renderKubeconfig(server: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain-http clusters unless TLS verification is marked as skipped.
    clusters: [{ name: KUBECONFIG_NAME, cluster: { server, 'insecure-skip-tls-verify': true } }],
    contexts: [{ name: KUBECONFIG_NAME, context: { cluster: KUBECONFIG_NAME, namespace, user: KUBECONFIG_NAME } }],
    'current-context': KUBECONFIG_NAME,
    preferences: {},
    users: [{ name: KUBECONFIG_NAME, user: { token } }],
  });
}

/**
 * Writes a kubeconfig file readable only by its owner (it holds a token).
 * @throws Error when the file cannot be written.
 */
export async function writeKubeconfig(path: string, contents: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, contents, { mode: 0o600 });
}
