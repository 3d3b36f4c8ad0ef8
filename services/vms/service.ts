import { randomBytes, randomUUID } from 'node:crypto';
import type { VmHostReportInput } from '../../resolvers/types.generated.ts';
import { requireVisibleEnvironment } from '../apps/service.ts';
import type { EnvironmentRow } from '../apps/repository.ts';
import { recordAudit } from '../audit/record.ts';
import { hashToken } from '../identity/tokens.ts';
import { freePort } from '../metrics/managed-process.ts';
import type { RequestScope } from '../scope.ts';
import { conflict, DomainError, isUniqueViolation, notFound, unauthenticated } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { HaproxyUnreachable } from './haproxy-socket.ts';
import { balancerKey, checkHostName, checkReport, HOST_TOKEN_PREFIX } from './model.ts';
import * as repo from './repository.ts';

/** The host an agent's token belongs to: what a host-token request may act on, and nothing else. */
export interface VmHostPrincipal {
  hostId: string;
  environmentId: string;
}

/** `RegisteredVmHost`: the host and its token, shown once. */
export interface RegisteredVmHostModel {
  host: repo.VmHostRow;
  token: string;
}

/** The split as `trafficSplit` answers it. */
export interface TrafficSplitView {
  frontend: string;
  vmWeight: number;
  cloudWeight: number;
  appliedAt: Date | null;
}

/**
 * `registerVmHost`: a new host of the environment (MAINTAINER and above) with a fresh token,
 * returned once and stored as its SHA-256; the environment gets its load balancer frontend.
 * @throws BAD_USER_INPUT for a bad name; CONFLICT when a live host has it.
 */
export async function registerVmHost(scope: RequestScope, environmentGlobalId: string, name: string): Promise<RegisteredVmHostModel> {
  const environmentId = idOf('Environment', environmentGlobalId, 'environmentId');
  checkHostName(name);
  const { app } = await requireVisibleEnvironment(scope, environmentId, 'vm.write');
  const token = `${HOST_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const port = await freePort();
  let host: repo.VmHostRow;
  try {
    host = await scope.db.transaction(async (tx) => {
      await repo.ensurePool(tx, environmentId, port);
      const row = await repo.insertHost(tx, { id: randomUUID(), environmentId, name, tokenHash: hashToken(token), createdAt: scope.clock.now(), createdBy: scope.principal!.userId });
      await recordAudit(tx, scope, { action: 'vm-host.register', targetType: 'VmHost', targetId: row.id, projectId: app.projectId, details: { environmentId: environmentGlobalId, name } });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'vm_hosts_live_name_uq')) throw conflict(`A VM host named ${name} is already registered in this environment`);
    throw error;
  }
  scope.vms.bus.publish(environmentId);
  return { host, token };
}

/** `revokeVmHost`: the token stops working at once and the host leaves the load balancer. */
export async function revokeVmHost(scope: RequestScope, hostGlobalId: string): Promise<boolean> {
  const id = idOf('VmHost', hostGlobalId, 'id');
  const host = await requireVisibleHost(scope, id, 'vm.write');
  const { app } = await requireVisibleEnvironment(scope, host.environmentId, 'vm.write');
  await scope.db.transaction(async (tx) => {
    await repo.revokeHost(tx, id, scope.clock.now());
    await recordAudit(tx, scope, { action: 'vm-host.revoke', targetType: 'VmHost', targetId: id, projectId: app.projectId, details: { name: host.name } });
  });
  scope.vms.bus.publish(host.environmentId);
  return true;
}

/** A live host the caller may `action` on. @throws NOT_FOUND otherwise (foreign and missing alike). */
export async function requireVisibleHost(scope: RequestScope, id: string, action: 'vm.read' | 'vm.write' = 'vm.read'): Promise<repo.VmHostRow> {
  const [host] = await repo.findHostsByIds(scope.db, [id]);
  if (!host) throw notFound('VmHost');
  await requireVisibleEnvironment(scope, host.environmentId, action).catch(() => {
    throw notFound('VmHost');
  });
  return host;
}

/** `Environment.vmHosts` (the environment is already visible to the caller). */
export function vmHostsOf(scope: RequestScope, environment: EnvironmentRow): Promise<repo.VmHostRow[]> {
  return scope.loaders.vmHostsByEnvironment.load(environment.id);
}

/**
 * `Environment.trafficSplit`, read back from HAProxy. Null while the environment has no pool.
 * @throws INTERNAL_SERVER_ERROR naming what is missing when HAProxy cannot be asked.
 */
export async function trafficSplitOf(scope: RequestScope, environment: EnvironmentRow): Promise<TrafficSplitView | null> {
  const pool = await repo.findPool(scope.db, environment.id);
  if (!pool) return null;
  try {
    // A failed sync (a reload that did not finish) must not hide the split HAProxy has now.
    await scope.vms.sync().catch(() => undefined);
    const split = await scope.vms.balancer.readSplit(balancerKey(environment.id));
    if (!split) throw new HaproxyUnreachable('HAProxy has no backend for this environment yet');
    return { frontend: `127.0.0.1:${pool.frontendPort}`, vmWeight: split.vmWeight, cloudWeight: split.cloudWeight, appliedAt: pool.appliedAt };
  } catch (error) {
    if (error instanceof HaproxyUnreachable) throw new DomainError('INTERNAL_SERVER_ERROR', error.message, { unavailable: true });
    throw error;
  }
}

/** The calling agent's host. @throws UNAUTHENTICATED unless the request carries a live host token. */
export function requireHostPrincipal(scope: RequestScope): VmHostPrincipal {
  if (!scope.vmHost) throw unauthenticated('This operation takes a VM host token');
  return scope.vmHost;
}

/** `reportVmHostStatus`: the agent's own host only (its token says which). */
export async function reportVmHostStatus(scope: RequestScope, input: VmHostReportInput): Promise<repo.VmHostRow> {
  const principal = requireHostPrincipal(scope);
  const report = checkReport(input);
  const [before] = await repo.findHostsByIds(scope.db, [principal.hostId]);
  const row = await repo.recordReport(scope.db, principal.hostId, { at: scope.clock.now(), ...report });
  if (!row || !before) throw unauthenticated('VM host token has been revoked');
  const changed = before.address !== row.address || before.healthy !== row.healthy || before.reportedVersion !== row.reportedVersion || before.message !== row.message || !before.lastSeenAt;
  if (changed) scope.vms.bus.publish(row.environmentId);
  return row;
}

/** `retireVmPool`: only once HAProxy reads back 100% for the cloud. @throws CONFLICT otherwise. */
export async function retireVmPool(scope: RequestScope, environmentGlobalId: string): Promise<EnvironmentRow> {
  const environmentId = idOf('Environment', environmentGlobalId, 'environmentId');
  const { environment, app } = await requireVisibleEnvironment(scope, environmentId, 'vm.write');
  const split = await trafficSplitOf(scope, environment);
  if (!split) throw conflict('This environment has no VM pool');
  if (split.cloudWeight !== 100 || split.vmWeight !== 0) throw conflict(`The VM pool still has ${split.vmWeight}% of the traffic; retire it once the cloud has 100%`);
  await scope.db.transaction(async (tx) => {
    await repo.retirePool(tx, environmentId, scope.clock.now());
    await recordAudit(tx, scope, { action: 'vm-pool.retire', targetType: 'Environment', targetId: environmentId, projectId: app.projectId, details: { environmentId: environmentGlobalId } });
  });
  scope.vms.bus.publish(environmentId);
  return environment;
}
