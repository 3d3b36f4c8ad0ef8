import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { stringify } from 'yaml';

/** A kubeconfig with one cluster, user and context; `user` and `cluster` extend the defaults. */
export function aKubeconfig(options: { server?: string; user?: Record<string, unknown>; cluster?: Record<string, unknown> } = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: options.server ?? 'https://127.0.0.1:6443', ...options.cluster } }],
    users: [{ name: 'u', user: options.user ?? { token: 'sekret-token-value' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
}

/** A user whose exec plugin would create `marker`: the file existing proves the command ran. */
export function execUser(marker: string): Record<string, unknown> {
  return { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', `touch ${marker}; echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"x"}}'`] } };
}

/** A loopback port nothing listens on (bound, then released). */
export async function aClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits a little, then tells whether `path` exists (an exec plugin would have had the time to run). */
export async function existsAfter(path: string, ms = 500): Promise<boolean> {
  await new Promise((r) => setTimeout(r, ms));
  return existsSync(path);
}
