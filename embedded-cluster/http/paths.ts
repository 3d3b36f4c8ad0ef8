/**
 * Parses request paths into what they address: a discovery document, or a resource
 * collection, object or subresource (`/apis/<group>/<version>/namespaces/<ns>/<plural>/<name>/<sub>`).
 */
import { findResource, type ResourceType } from '../resources.ts';

/** A path that addresses resources. */
export interface ResourcePath {
  kind: 'resource';
  type: ResourceType;
  /** From `/namespaces/<ns>/…`; undefined for cluster-scoped types and all-namespace lists. */
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** The legacy `/watch/` path prefix was used. */
  legacyWatch: boolean;
}

/** A path that addresses discovery for a group version (`/api/v1`, `/apis/apps/v1`). */
export interface GroupVersionPath {
  kind: 'groupVersion';
  group: string;
  version: string;
}

/** What a path addresses, or undefined when nothing is served there. */
export type ParsedPath = ResourcePath | GroupVersionPath | { kind: 'group'; group: string } | undefined;

/** Parses an API path; segments are URL-decoded. */
export function parseApiPath(pathname: string): ParsedPath {
  const segments = pathname.split('/').filter((segment) => segment.length > 0).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else if (segments[0] === 'apis' && segments.length === 2) {
    return { kind: 'group', group: segments[1] ?? '' };
  } else {
    return undefined;
  }
  if (rest.length === 0) return { kind: 'groupVersion', group, version };

  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = findResource(group, version, rest[2] ?? '');
    if (type?.namespaced) {
      return { kind: 'resource', type, namespace: rest[1], name: rest[3], subresource: rest[4], legacyWatch };
    }
  }
  const type = findResource(group, version, rest[0] ?? '');
  if (!type || rest.length > 3) return undefined;
  return { kind: 'resource', type, namespace: undefined, name: rest[1], subresource: rest[2], legacyWatch };
}
