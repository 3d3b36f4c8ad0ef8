/**
 * VM hosts' rules, pure: names, what a status is, what a report may say. No I/O.
 */
import type { VmHostStatus } from '../../resolvers/types.generated.ts';
import { badInput } from '../shared/errors.ts';
import type { VmHostRow } from './repository.ts';

/** Host token prefix: tells a host's token from a user's API token before any lookup. */
export const HOST_TOKEN_PREFIX = 'gvh_';

const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/;
const HOST_ADDRESS = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/;

/** @throws BAD_USER_INPUT on `name` unless it is 1 to 50 lowercase letters, digits and inner '-'. */
export function checkHostName(name: string): string {
  if (!HOST_NAME.test(name)) throw badInput('name', "name must be 1 to 50 lowercase letters, digits and '-' (not at either end)");
  return name;
}

/** CONNECTED, DEGRADED or OFFLINE at `now`. */
export function hostStatus(host: Pick<VmHostRow, 'lastSeenAt' | 'healthy'>, now: number, offlineAfterMs: number): VmHostStatus {
  if (!host.lastSeenAt || now - host.lastSeenAt.getTime() > offlineAfterMs) return 'OFFLINE';
  return host.healthy ? 'CONNECTED' : 'DEGRADED';
}

/** What an agent may report, checked. */
export interface CheckedReport {
  version: string | null;
  healthy: boolean;
  address: string;
  message: string | null;
}

/** @throws BAD_USER_INPUT naming the field for a bad port, host, version or an over-long message. */
export function checkReport(input: { version?: string | null; healthy: boolean; port: number; host?: string | null; message?: string | null }): CheckedReport {
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw badInput('input.port', 'input.port must be 1 to 65535');
  const host = input.host ?? '127.0.0.1';
  if (host.length > 253 || !HOST_ADDRESS.test(host)) throw badInput('input.host', 'input.host must be a hostname or an IPv4 address');
  if (input.version != null && !/^r\d{1,9}$/.test(input.version)) throw badInput('input.version', 'input.version must be a release version such as r7');
  if (input.message != null && input.message.length > 500) throw badInput('input.message', 'input.message is at most 500 characters');
  return { version: input.version ?? null, healthy: input.healthy, address: `${host}:${input.port}`, message: input.message ?? null };
}

/** The balancer key of an environment: its id without dashes (letters and digits only). */
export function balancerKey(environmentId: string): string {
  return environmentId.replace(/-/g, '');
}
