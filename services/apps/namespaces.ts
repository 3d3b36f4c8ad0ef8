import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { namespaceOwners, projects } from '../../db/schema/index.ts';
import { badInput, conflict } from '../shared/errors.ts';

/** Longest Kubernetes namespace name (a DNS-1123 label). */
const MAX_NAMESPACE = 63;

/**
 * Namespaces no project may deploy into: the cluster's own (`kube-*`, `default`), the service
 * mesh's and Gantry's. Checked for explicit and default names alike.
 */
export function isSystemNamespace(namespace: string): boolean {
  return namespace.startsWith('kube-') || ['default', 'istio-system', 'gantry', 'gantry-system'].includes(namespace);
}

/** Six hex digits, stable for (project, environment name, attempt): tells apart names that read alike. */
function suffixOf(projectId: string, environment: string, attempt: number): string {
  return createHash('sha256').update(`${projectId}\u0000${environment}\u0000${attempt}`).digest('hex').slice(0, 6);
}

/**
 * Default namespaces of an environment, best first: `<project slug>-<environment>` as long as it
 * is a valid name and not a system one, then that name (cut to fit 63 characters, `ns-` in front
 * of a system prefix) with a suffix hashed from the project's id. Slugs contain '-', so
 * `shop-eu` + `prod` and `shop` + `eu-prod` read alike; the owner check takes the plain name
 * for the first project and the suffixed one for the other.
 */
export function defaultNamespaces(project: { id: string; slug: string }, environment: string): string[] {
  const plain = `${project.slug}-${environment}`;
  const candidates: string[] = [];
  if (plain.length <= MAX_NAMESPACE && !isSystemNamespace(plain)) candidates.push(plain);
  const base = isSystemNamespace(plain) ? `ns-${plain}` : plain;
  for (let attempt = 0; attempt < 3; attempt++) {
    const suffix = suffixOf(project.id, environment, attempt);
    candidates.push(`${base.slice(0, MAX_NAMESPACE - suffix.length - 1).replace(/-+$/, '')}-${suffix}`);
  }
  return candidates;
}

/**
 * Claims the namespace for the project unless another project owns it already (first claim
 * wins; concurrent claims serialise on the primary key).
 * @returns true when the project owns it now.
 */
export async function claimNamespace(tx: Tx, cluster: string, namespace: string, projectId: string, at: Date): Promise<boolean> {
  await tx.insert(namespaceOwners).values({ cluster, namespace, projectId, createdAt: at }).onConflictDoNothing();
  const [owner] = await tx
    .select({ projectId: namespaceOwners.projectId })
    .from(namespaceOwners)
    .where(and(eq(namespaceOwners.cluster, cluster), eq(namespaceOwners.namespace, namespace)));
  return owner?.projectId === projectId;
}

/**
 * The namespace of a new environment, claimed for the project: the explicit one, or the first
 * default no other project owns.
 * @throws BAD_USER_INPUT for a system namespace; CONFLICT when another project owns the
 *   explicit one. Neither says anything about the other project or what runs there.
 */
export async function claimEnvironmentNamespace(
  tx: Tx,
  input: { cluster: string; namespace: string | null; project: { id: string; slug: string }; environment: string; at: Date },
): Promise<string> {
  const { cluster, project, at } = input;
  if (input.namespace !== null) {
    if (isSystemNamespace(input.namespace)) {
      throw badInput('input.namespace', 'input.namespace is a system namespace (kube-*, default, istio-system, gantry, gantry-system); choose another');
    }
    if (await claimNamespace(tx, cluster, input.namespace, project.id, at)) return input.namespace;
    throw conflict('input.namespace belongs to another project on this cluster; choose another namespace', { field: 'input.namespace' });
  }
  for (const candidate of defaultNamespaces(project, input.environment)) {
    if (await claimNamespace(tx, cluster, candidate, project.id, at)) return candidate;
  }
  throw conflict('No free default namespace for this environment; set input.namespace', { field: 'input.namespace' });
}

/** The slug of the project owning a namespace, for the `gantry.io/project` label; null if unowned. */
export async function namespaceOwnerSlug(tx: Tx, cluster: string, namespace: string): Promise<string | null> {
  const [row] = await tx
    .select({ slug: projects.slug })
    .from(namespaceOwners)
    .innerJoin(projects, eq(projects.id, namespaceOwners.projectId))
    .where(and(eq(namespaceOwners.cluster, cluster), eq(namespaceOwners.namespace, namespace)));
  return row?.slug ?? null;
}

