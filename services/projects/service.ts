import { randomUUID } from 'node:crypto';
import { authorizeProject, roleIn } from '../access/guard.ts';
import { notifyAccessChanged } from '../access/revalidation.ts';
import { mayAssignRole, requirePrincipal, ROLES, type Role } from '../access/policy.ts';
import { listAuditEntries, type AuditRow } from '../audit/repository.ts';
import { recordAudit } from '../audit/record.ts';
import type { RequestScope } from '../scope.ts';
import { badInput, conflict, forbidden, isUniqueViolation, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { pageRequest, toConnection, type Connection, type PageArgs } from '../shared/pagination.ts';
import { requireDnsLabel, requireText } from '../shared/validation.ts';
import * as repo from './repository.ts';

export type { ProjectRow, MemberRow } from './repository.ts';

/**
 * The project with this id if the caller may see it.
 * @throws NOT_FOUND for missing and invisible projects alike.
 */
export async function requireVisibleProject(scope: RequestScope, projectId: string): Promise<repo.ProjectRow> {
  const project = await scope.loaders.projectById.load(projectId);
  if (!project) throw notFound('Project');
  await authorizeProject(scope, project.id, 'project.read', 'Project');
  return project;
}

/**
 * `project(slug:)`; with `columns`, a row of only those (the selection's: services/apps/columns.ts).
 * @throws NOT_FOUND when missing or invisible.
 */
export async function projectBySlug(scope: RequestScope, slug: string, columns?: readonly repo.ProjectColumn[] | null): Promise<repo.ProjectRow> {
  requirePrincipal(scope.principal);
  const project = await (columns ? scope.loaders.projectBySlugWith(columns) : scope.loaders.projectBySlug).load(slug);
  if (!project) throw notFound('Project');
  await authorizeProject(scope, project.id, 'project.read', 'Project');
  return project;
}

/** Projects the caller belongs to (admins: all), by slug. */
export async function listProjects(scope: RequestScope, args: PageArgs): Promise<Connection<repo.ProjectRow>> {
  const principal = requirePrincipal(scope.principal);
  const page = pageRequest(args);
  const { rows, total } = await repo.listProjects(scope.db, {
    memberUserId: principal.isAdmin ? null : principal.userId,
    after: page.after,
    limit: page.first + 1,
  });
  for (const row of rows) scope.loaders.projectById.prime(row.id, row);
  return toConnection(rows, page, total, (p) => p.slug);
}

export async function createProject(scope: RequestScope, input: { slug: string; name: string }): Promise<repo.ProjectRow> {
  const principal = requirePrincipal(scope.principal);
  const slug = requireDnsLabel('input.slug', input.slug, 40);
  const name = requireText('input.name', input.name, 200);
  try {
    return await scope.db.transaction(async (tx) => {
      const project = await repo.insertProject(tx, { id: randomUUID(), slug, name, createdAt: scope.clock.now() });
      await repo.insertMember(tx, { projectId: project.id, userId: principal.userId, role: 'OWNER' });
      await recordAudit(tx, scope, { action: 'project.create', targetType: 'Project', targetId: project.id, projectId: project.id, details: input });
      return project;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A project with this slug already exists`, { field: 'input.slug' });
    throw error;
  }
}

function requireRole(field: string, role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw badInput(field, `${field} must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

/**
 * Adds a member, or changes the role of an existing one. Nobody grants above their own rank,
 * and the last OWNER cannot be demoted.
 */
export async function addProjectMember(
  scope: RequestScope,
  input: { projectId: string; login: string; role: string },
): Promise<repo.MemberRow> {
  const projectId = idOf('Project', input.projectId, 'input.projectId');
  const role = requireRole('input.role', input.role);
  const principal = await authorizeProject(scope, projectId, 'member.manage', 'Project');
  const myRole = await roleIn(scope, projectId);
  if (!mayAssignRole(principal, myRole, role)) throw forbidden(`Only an OWNER may grant the ${role} role`);
  const user = await scope.loaders.userByLogin.load(input.login);
  if (!user) throw notFound('User');
  const member = await scope.db.transaction(async (tx) => {
    const members = await repo.lockMembers(tx, projectId);
    const existing = members.find((m) => m.userId === user.id);
    if (existing?.role === 'OWNER' && role !== 'OWNER') {
      if (!mayAssignRole(principal, myRole, 'OWNER')) throw forbidden('Only an OWNER may change the role of an OWNER');
      if (members.filter((m) => m.role === 'OWNER').length === 1) throw conflict('A project must keep at least one OWNER');
    }
    const member = await repo.insertMember(tx, { projectId, userId: user.id, role });
    await recordAudit(tx, scope, {
      action: existing ? 'member.update' : 'member.add',
      targetType: 'User',
      targetId: user.id,
      projectId,
      details: { login: input.login, role, previousRole: existing?.role ?? null },
    });
    scope.loaders.membersByProject.clear(projectId);
    if (user.id === principal.userId) scope.loaders.viewerRole.clear(projectId);
    return member;
  });
  notifyAccessChanged(scope.db);
  return member;
}

/** Removes a member; only an OWNER removes an OWNER, and never the last one. */
export async function removeProjectMember(scope: RequestScope, projectIdArg: string, login: string): Promise<boolean> {
  const projectId = idOf('Project', projectIdArg, 'projectId');
  const principal = await authorizeProject(scope, projectId, 'member.manage', 'Project');
  const myRole = await roleIn(scope, projectId);
  const user = await scope.loaders.userByLogin.load(login);
  if (!user) throw notFound('Member');
  await scope.db.transaction(async (tx) => {
    const members = await repo.lockMembers(tx, projectId);
    const target = members.find((m) => m.userId === user.id);
    if (!target) throw notFound('Member');
    if (target.role === 'OWNER') {
      if (!mayAssignRole(principal, myRole, 'OWNER')) throw forbidden('Only an OWNER may remove an OWNER');
      if (members.filter((m) => m.role === 'OWNER').length === 1) throw conflict('A project must keep at least one OWNER');
    }
    await repo.deleteMember(tx, projectId, user.id);
    await recordAudit(tx, scope, { action: 'member.remove', targetType: 'User', targetId: user.id, projectId, details: { login, role: target.role } });
    scope.loaders.membersByProject.clear(projectId);
  });
  notifyAccessChanged(scope.db);
  return true;
}

/** A project's audit log, newest first. MAINTAINER and above. */
export async function projectAuditLog(scope: RequestScope, projectId: string, args: PageArgs): Promise<Connection<AuditRow>> {
  await authorizeProject(scope, projectId, 'audit.read', 'Project');
  const page = pageRequest(args);
  const beforeSeq = page.after === null ? null : Number(page.after);
  if (beforeSeq !== null && !Number.isSafeInteger(beforeSeq)) throw badInput('after', 'after is not a valid cursor');
  const { rows, total } = await listAuditEntries(scope.db, projectId, { beforeSeq, limit: page.first + 1 });
  return toConnection(rows, page, total, (r) => r.seq);
}


