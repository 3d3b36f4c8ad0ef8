import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import { anyKey, keyArray, pickColumns, preparedPerColumns, preparedStatements } from '../../db/prepared.ts';
import { projectMembers, projects } from '../../db/schema/index.ts';
import type { Role } from '../access/policy.ts';

export type ProjectRow = typeof projects.$inferSelect;
export type MemberRow = typeof projectMembers.$inferSelect & { role: Role };

export async function insertProject(tx: Tx, row: typeof projects.$inferInsert): Promise<ProjectRow> {
  const [inserted] = await tx.insert(projects).values(row).returning();
  return inserted!;
}

/** A project and the role in it of the user asked about (null: not a member, or nobody asked). */
export interface ProjectWithRole {
  project: ProjectRow;
  role: Role | null;
}

/**
 * Projects by id or slug, each with `userId`'s role in it, in one statement: every project read
 * is followed by the caller's access check, so the two go together.
 */
export async function findProjectsWithRole(
  db: Database,
  by: 'id' | 'slug',
  keys: readonly string[],
  userId: string | null,
  columns?: readonly ProjectColumn[],
): Promise<ProjectWithRole[]> {
  const narrow = columns && (by === 'id' ? narrowById : narrowBySlug)(db, columns);
  const statement = narrow ?? (by === 'id' ? projectReads(db).withRoleById : projectReads(db).withRoleBySlug);
  return (await statement.execute({ keys: keyArray(keys), userId })) as ProjectWithRole[];
}

export type ProjectColumn = keyof ProjectRow & keyof typeof projects;

/** The same reads, of only the columns a query's selection needs (services/apps/columns.ts): rows carry only those. */
const narrowWithRole = (by: 'id' | 'slug') =>
  preparedPerColumns((db: Database, columns: readonly ProjectColumn[]) =>
    db
      .select({ project: pickColumns(projects, columns), role: projectMembers.role })
      .from(projects)
      .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, sql.placeholder('userId'))))
      .where(anyKey(by === 'id' ? projects.id : projects.slug, by === 'id' ? 'uuid' : 'text'))
      .prepare(`projects_with_role_by_${by}:${columns.join(',')}`),
  );
const narrowById = narrowWithRole('id');
const narrowBySlug = narrowWithRole('slug');

/** Prepared once per database (see db/prepared.ts): every project read of a request is one of these. */
const projectReads = preparedStatements((db: Database) => {
  const withRole = (where: ReturnType<typeof anyKey>, name: string) =>
    db
      .select({ project: projects, role: projectMembers.role })
      .from(projects)
      .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, sql.placeholder('userId'))))
      .where(where)
      .prepare(name);
  return { withRoleById: withRole(anyKey(projects.id, 'uuid'), 'projects_with_role_by_id'), withRoleBySlug: withRole(anyKey(projects.slug, 'text'), 'projects_with_role_by_slug') };
});

/**
 * A page of projects ordered by slug; only those `memberUserId` belongs to unless null (admins).
 * Fetches `limit` rows after the slug `after`.
 */
export async function listProjects(
  tx: Tx,
  options: { memberUserId: string | null; after: string | null; limit: number },
): Promise<{ rows: ProjectRow[]; total: number }> {
  const visible = options.memberUserId
    ? inArray(
        projects.id,
        tx.select({ id: projectMembers.projectId }).from(projectMembers).where(eq(projectMembers.userId, options.memberUserId)),
      )
    : undefined;
  const rows = await tx
    .select()
    .from(projects)
    .where(and(visible, options.after !== null ? gt(projects.slug, options.after) : undefined))
    .orderBy(asc(projects.slug))
    .limit(options.limit);
  const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(projects).where(visible);
  return { rows, total: count?.n ?? 0 };
}

export async function insertMember(tx: Tx, row: { projectId: string; userId: string; role: Role }): Promise<MemberRow> {
  const [inserted] = await tx
    .insert(projectMembers)
    .values(row)
    .onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { role: row.role } })
    .returning();
  return inserted as MemberRow;
}

export async function deleteMember(tx: Tx, projectId: string, userId: string): Promise<boolean> {
  const rows = await tx
    .delete(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
    .returning({ userId: projectMembers.userId });
  return rows.length > 0;
}

/** Members of several projects, ordered by when they joined. */
export async function findMembersByProjects(tx: Tx, projectIds: readonly string[]): Promise<MemberRow[]> {
  return (await tx
    .select()
    .from(projectMembers)
    .where(inArray(projectMembers.projectId, [...projectIds]))
    .orderBy(asc(projectMembers.createdAt), asc(projectMembers.userId))) as MemberRow[];
}

/** One user's memberships in the given projects. */
export async function findRolesOfUser(tx: Tx, userId: string, projectIds: readonly string[]): Promise<MemberRow[]> {
  return (await tx
    .select()
    .from(projectMembers)
    .where(and(eq(projectMembers.userId, userId), inArray(projectMembers.projectId, [...projectIds])))) as MemberRow[];
}

/** Memberships of any of `userIds` in any of `projectIds` (callers pick the pairs they asked about). */
export async function findRolesOfUsers(tx: Tx, userIds: readonly string[], projectIds: readonly string[]): Promise<MemberRow[]> {
  return (await tx
    .select()
    .from(projectMembers)
    .where(and(inArray(projectMembers.userId, [...userIds]), inArray(projectMembers.projectId, [...projectIds])))) as MemberRow[];
}

/**
 * Locks the project's member rows and returns them, so that concurrent removals cannot both
 * see "another owner is left".
 */
export async function lockMembers(tx: Tx, projectId: string): Promise<MemberRow[]> {
  return (await tx
    .select()
    .from(projectMembers)
    .where(eq(projectMembers.projectId, projectId))
    .for('update')) as MemberRow[];
}
