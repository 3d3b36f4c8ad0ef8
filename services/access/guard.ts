import type { RequestScope } from '../scope.ts';
import { enforce, requirePrincipal, type Principal, type ProjectAction, type Role } from './policy.ts';

/** The caller's role in a project (null when not a member), through the request's loader. */
export function roleIn(scope: RequestScope, projectId: string): Promise<Role | null> {
  return scope.loaders.viewerRole.load(projectId);
}

/**
 * Checks that the caller may perform `action` in the project.
 * @param what names the kind of object for a NOT_FOUND message, e.g. `Project` (never a value the caller sent).
 * @returns the principal.
 * @throws UNAUTHENTICATED, NOT_FOUND (not a member) or FORBIDDEN (role too low).
 */
export async function authorizeProject(
  scope: RequestScope,
  projectId: string,
  action: ProjectAction,
  what: string,
): Promise<Principal> {
  const principal = requirePrincipal(scope.principal);
  enforce(principal, await roleIn(scope, projectId), action, what);
  return principal;
}

/** Like {@link authorizeProject} but answers false instead of throwing: for nullable reads. */
export async function canInProject(scope: RequestScope, projectId: string, action: ProjectAction): Promise<boolean> {
  if (!scope.principal) return false;
  try {
    enforce(scope.principal, await roleIn(scope, projectId), action, 'object');
    return true;
  } catch {
    return false;
  }
}
