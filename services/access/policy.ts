import type { ApiTokenScope, Role } from '../../resolvers/types.generated.ts';
import { forbidden, notFound, unauthenticated } from '../shared/errors.ts';

/** Roles come from the SDL's `enum Role` (type from codegen, list in db/schema/enums.ts). */
export { ROLES } from '../../db/schema/enums.ts';
export type { Role };

/** Higher outranks lower; a role may do everything the roles below it may. */
export const ROLE_RANK: Record<Role, number> = { VIEWER: 1, DEVELOPER: 2, MAINTAINER: 3, OWNER: 4 };

/** Who is calling: resolved from an API token. */
export interface Principal {
  userId: string;
  login: string;
  isAdmin: boolean;
  tokenId: string;
  /** What the token may do, whatever the user's roles allow (API_TOKEN_SCOPES). */
  scopes: readonly ApiTokenScope[];
}

/** The token scope each kind of GraphQL operation needs. */
export const OPERATION_SCOPES = { query: 'READ', subscription: 'READ', mutation: 'WRITE' } as const satisfies Record<string, ApiTokenScope>;
export type OperationType = keyof typeof OPERATION_SCOPES;

/**
 * The token-scope rule, applied to every root field of every operation (server/graphql.ts
 * `enforceTokenScopes`, the same for HTTP and WebSocket), before roles are looked at: a token
 * limits what its user may do, it never adds to it. Anonymous callers are left to the fields,
 * which refuse them (UNAUTHENTICATED).
 * @throws FORBIDDEN naming the missing scope.
 */
export function requireScope(principal: Principal | null, operation: OperationType): void {
  if (!principal) return;
  const needed = OPERATION_SCOPES[operation];
  if (principal.scopes.includes(needed)) return;
  throw forbidden(`This API token lacks the ${needed} scope that ${operation === 'mutation' ? 'mutations' : `${operation}s`} need (its scopes: ${principal.scopes.join(', ') || 'none'}); use a token whose scopes include ${needed}`);
}

/** Everything that can be done to a project or to what it contains. */
export const PROJECT_ACTIONS = {
  'project.read': 'VIEWER',
  'member.manage': 'MAINTAINER',
  'audit.read': 'MAINTAINER',
  'app.create': 'MAINTAINER',
  'app.update': 'DEVELOPER',
  'app.delete': 'MAINTAINER',
  'environment.create': 'MAINTAINER',
  'environment.update': 'MAINTAINER',
  'release.read': 'VIEWER',
  'release.write': 'DEVELOPER',
  'release.write.protected': 'MAINTAINER',
  'build.read': 'VIEWER',
  'build.write': 'DEVELOPER',
  'config.read': 'VIEWER',
  'config.write': 'DEVELOPER',
  'config.write.protected': 'MAINTAINER',
  'alert.subscribe': 'DEVELOPER',
  'alert.subscribe.protected': 'MAINTAINER',
  'vm.read': 'VIEWER',
  'vm.write': 'MAINTAINER',
} as const satisfies Record<string, Role>;
export type ProjectAction = keyof typeof PROJECT_ACTIONS;

export type Decision = 'ALLOW' | 'FORBIDDEN' | 'NOT_FOUND';

/**
 * The one access rule of Gantry. `role` is the principal's membership role in the project
 * (null when not a member). Non-members get NOT_FOUND, never FORBIDDEN, so that the answer
 * does not reveal that the project exists. Platform admins may do everything.
 */
export function decide(principal: Principal, role: Role | null, action: ProjectAction): Decision {
  if (principal.isAdmin) return 'ALLOW';
  if (role === null) return 'NOT_FOUND';
  return ROLE_RANK[role] >= ROLE_RANK[PROJECT_ACTIONS[action]] ? 'ALLOW' : 'FORBIDDEN';
}

/** True when `granter` may give or take away `target` role: nobody grants above their own rank. */
export function mayAssignRole(principal: Principal, granterRole: Role | null, target: Role): boolean {
  if (principal.isAdmin) return true;
  if (granterRole === null) return false;
  if (target === 'OWNER') return granterRole === 'OWNER';
  return ROLE_RANK[granterRole] >= ROLE_RANK.MAINTAINER;
}

/**
 * @returns the principal.
 * @throws UNAUTHENTICATED when there is none.
 */
export function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw unauthenticated();
  return principal;
}

/** @throws FORBIDDEN unless the principal is a platform admin. */
export function requireAdmin(principal: Principal | null, what: string): Principal {
  const p = requirePrincipal(principal);
  if (!p.isAdmin) throw forbidden(`Only platform admins may ${what}`);
  return p;
}

/**
 * Applies {@link decide}.
 * @param what names the object in the NOT_FOUND message, e.g. `App "api"`.
 * @throws NOT_FOUND or FORBIDDEN.
 */
export function enforce(principal: Principal, role: Role | null, action: ProjectAction, what: string): void {
  const decision = decide(principal, role, action);
  if (decision === 'NOT_FOUND') throw notFound(what);
  if (decision === 'FORBIDDEN') {
    const needed = PROJECT_ACTIONS[action];
    throw forbidden(`${action} requires the ${needed} role or higher; you are ${role}`);
  }
}
