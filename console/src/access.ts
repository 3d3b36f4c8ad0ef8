import type { Role } from './gql/graphql.ts';

/**
 * Which controls to show. The API decides (services/access/policy.ts); this only hides buttons
 * the viewer's role could not use, and the API's refusal is shown in words if one is tried anyway.
 */
const RANK: Record<Role, number> = { VIEWER: 0, DEVELOPER: 1, MAINTAINER: 2, OWNER: 3 };

export interface Viewer {
  isAdmin: boolean;
  role: Role | null | undefined;
}

function atLeast(viewer: Viewer, role: Role): boolean {
  return viewer.isAdmin || (viewer.role != null && RANK[viewer.role] >= RANK[role]);
}

/**
 * Release, promote, pause, resume, abort, roll back; config, secrets, cron jobs and alert
 * subscriptions: DEVELOPER, MAINTAINER on protected environments.
 */
export const mayRelease = (viewer: Viewer, isProtected: boolean) => atLeast(viewer, isProtected ? 'MAINTAINER' : 'DEVELOPER');
/** Apps, environments, members and the audit log: MAINTAINER. */
export const mayManage = (viewer: Viewer) => atLeast(viewer, 'MAINTAINER');
/** Build specs, builds, cancels: DEVELOPER. */
export const mayBuild = (viewer: Viewer) => atLeast(viewer, 'DEVELOPER');
