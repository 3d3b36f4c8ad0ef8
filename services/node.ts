import { authorizeProject } from './access/guard.ts';
import { requirePrincipal } from './access/policy.ts';
import { requireVisibleApp, requireVisibleEnvironment } from './apps/service.ts';
import { findAuditEntryById } from './audit/repository.ts';
import { requireVisibleUser } from './identity/service.ts';
import { requireVisibleProject } from './projects/service.ts';
import { requireVisibleRelease } from './releases/service.ts';
import { requireVisibleBuild } from './builds/access.ts';
import { requireVisibleRevision } from './config/service.ts';
import { requireVisibleCronJob, requireVisibleRun } from './cron/service.ts';
import { requireTemplate, requireVisibleAlert, requireVisibleSubscription } from './alerts/service.ts';
import type { RequestScope } from './scope.ts';
import { requireVisibleHost } from './vms/service.ts';
import { notFound } from './shared/errors.ts';
import { parseGlobalId, type NodeType } from './shared/ids.ts';

/** A resolved node: its type name and its row. */
export interface ResolvedNode {
  type: NodeType;
  row: unknown;
}

/**
 * `node(id:)`: the object behind a global ID, after the same access check its own query applies.
 * @throws NOT_FOUND for malformed, unknown and invisible IDs alike.
 */
export async function resolveNode(scope: RequestScope, globalId: string): Promise<ResolvedNode> {
  const principal = requirePrincipal(scope.principal);
  const parsed = parseGlobalId(globalId);
  if (!parsed) throw notFound('Node');
  const { type, id } = parsed;
  switch (type) {
    case 'User':
      return { type, row: await requireVisibleUser(scope, id).catch(rethrowAsNode) };
    case 'ApiToken': {
      const token = await scope.loaders.tokenById.load(id);
      if (!token || (token.userId !== principal.userId && !principal.isAdmin)) throw notFound('Node');
      return { type, row: token };
    }
    case 'Project':
      return { type, row: await requireVisibleProject(scope, id).catch(rethrowAsNode) };
    case 'App':
      return { type, row: await requireVisibleApp(scope, id).catch(rethrowAsNode) };
    case 'Environment':
      return { type, row: (await requireVisibleEnvironment(scope, id).catch(rethrowAsNode)).environment };
    case 'AuditEntry': {
      const entry = await findAuditEntryById(scope.db, id);
      if (!entry) throw notFound('Node');
      if (entry.projectId === null) {
        if (!principal.isAdmin) throw notFound('Node');
      } else {
        await authorizeProject(scope, entry.projectId, 'audit.read', 'Node').catch(rethrowAsNode);
      }
      return { type, row: entry };
    }
    case 'Release':
      return { type, row: await requireVisibleRelease(scope, id).catch(rethrowAsNode) };
    case 'Build':
      return { type, row: await requireVisibleBuild(scope, id).catch(rethrowAsNode) };
    case 'ConfigRevision':
      return { type, row: await requireVisibleRevision(scope, id).catch(rethrowAsNode) };
    case 'CronJob':
      return { type, row: (await requireVisibleCronJob(scope, id).catch(rethrowAsNode)).job };
    case 'CronJobRun':
      return { type, row: await requireVisibleRun(scope, id).catch(rethrowAsNode) };
    case 'AlertTemplate':
      return { type, row: await requireTemplate(scope, id).catch(rethrowAsNode) };
    case 'AlertSubscription':
      return { type, row: await requireVisibleSubscription(scope, id).catch(rethrowAsNode) };
    case 'Alert':
      return { type, row: await requireVisibleAlert(scope, id).catch(rethrowAsNode) };
    case 'VmHost':
      return { type, row: await requireVisibleHost(scope, id).catch(rethrowAsNode) };
  }
}

/** Every refusal inside node() reads as "no such node", FORBIDDEN included, so IDs reveal nothing. */
function rethrowAsNode(error: unknown): never {
  if (error && typeof error === 'object' && 'code' in error && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) {
    throw notFound('Node');
  }
  throw error;
}
