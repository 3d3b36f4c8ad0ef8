/**
 * Discovery documents (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`),
 * which kubectl and client-go read to map kinds and short names to resources.
 */
import { RESOURCE_TYPES, resourcesInGroupVersion, servedGroups, type ResourceType } from './resources.ts';

/** The Kubernetes version this server claims to be. */
export const SERVER_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-gantry-embedded' } as const;

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** `GET /version`. */
export function versionInfo(): Record<string, string> {
  return {
    ...SERVER_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** `GET /api`. */
export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(group: string, version: string): Record<string, unknown> {
  const groupVersion = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [groupVersion], preferredVersion: groupVersion };
}

/** `GET /apis`. */
export function groupList(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: servedGroups().map(({ group, version }) => groupEntry(group, version)) };
}

/** `GET /apis/<group>`, or undefined for an unknown group. */
export function apiGroup(group: string): Record<string, unknown> | undefined {
  const served = servedGroups().find((item) => item.group === group);
  return served ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(served.group, served.version) } : undefined;
}

function resourceEntries(type: ResourceType): Array<Record<string, unknown>> {
  const main: Record<string, unknown> = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: ALL_VERBS,
  };
  if (type.shortNames.length > 0) main['shortNames'] = type.shortNames;
  if (type.categories.length > 0) main['categories'] = type.categories;
  const entries = [main];
  for (const subresource of type.subresources) {
    const entry: Record<string, unknown> = { name: `${type.plural}/${subresource}`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: SUBRESOURCE_VERBS };
    if (subresource === 'log') entry['verbs'] = ['get'];
    if (subresource === 'scale') Object.assign(entry, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    entries.push(entry);
  }
  return entries;
}

/** `GET /api/v1` or `GET /apis/<group>/<version>`, or undefined for an unknown group version. */
export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const types = resourcesInGroupVersion(group, version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}

/** Every served group version as a path (`api/v1`, `apis/apps/v1`), for the OpenAPI index. */
export function groupVersionPaths(): Array<{ path: string; group: string; version: string }> {
  const seen = new Map<string, { path: string; group: string; version: string }>();
  for (const type of RESOURCE_TYPES) {
    const path = type.group ? `apis/${type.group}/${type.version}` : `api/${type.version}`;
    if (!seen.has(path)) seen.set(path, { path, group: type.group, version: type.version });
  }
  return [...seen.values()];
}
