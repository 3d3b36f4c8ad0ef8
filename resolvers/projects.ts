import { roleIn } from '../services/access/guard.ts';
import * as projects from '../services/projects/service.ts';
import { toGlobalId } from '../services/shared/ids.ts';
import * as apps from '../services/apps/service.ts';
import { appColumns, projectColumns } from '../services/apps/columns.ts';
import { readAhead } from '../services/apps/prefetch.ts';
import type { Resolvers } from './types.generated.ts';

export const projectResolvers: Resolvers = {
  Query: {
    projects: (_, args, ctx) => projects.listProjects(ctx, args),
    project: (_, { slug }, ctx, info) => projects.projectBySlug(ctx, slug, projectColumns(info)),
  },
  Mutation: {
    createProject: (_, { input }, ctx) => projects.createProject(ctx, input),
    addProjectMember: (_, { input }, ctx) => projects.addProjectMember(ctx, input),
    removeProjectMember: (_, { projectId, login }, ctx) => projects.removeProjectMember(ctx, projectId, login),
  },
  Project: {
    id: (project) => toGlobalId('Project', project.id),
    viewerRole: (project, _, ctx) => roleIn(ctx, project.id),
    members: (project, _, ctx) => ctx.loaders.membersByProject.load(project.id),
    apps: async (project, args, ctx, info) => {
      const connection = await apps.appsOfProject(ctx, project.id, args, appColumns(info));
      await readAhead(ctx, connection.nodes, info);
      return connection;
    },
    app: (project, { name }, ctx) => apps.appOfProject(ctx, project.id, name),
    auditLog: (project, args, ctx) => projects.projectAuditLog(ctx, project.id, args),
  },
  Membership: {
    user: async (member, _, ctx) => (await ctx.loaders.userById.load(member.userId))!,
  },
  AuditEntry: {
    id: (entry) => toGlobalId('AuditEntry', entry.id),
    actor: (entry, _, ctx) => (entry.actorId ? ctx.loaders.userById.load(entry.actorId) : null),
    details: (entry) => entry.details,
  },
};
