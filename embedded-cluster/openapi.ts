/**
 * A minimal OpenAPI v3 surface. kubectl reads it to learn that the server validates fields
 * itself (the `fieldValidation` parameter on PATCH operations), and then skips client-side
 * schema validation, which would otherwise need the full published schemas. Component schemas are
 * deliberately absent: kubectl then computes strategic merge patches from its compiled-in types.
 */
import { groupVersionPaths } from './discovery.ts';
import { resourcesInGroupVersion, type ResourceType } from './resources.ts';

const HASH = 'gantry-embedded-v1';

/** `GET /openapi/v3`: the index of per-group-version documents. */
export function openApiIndex(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { path } of groupVersionPaths()) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${HASH}` };
  return { paths };
}

const QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

function operation(type: ResourceType, action: string): Record<string, unknown> {
  return {
    operationId: `${action}${type.kind}`,
    parameters: QUERY_PARAMETERS,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: type.group, version: type.version, kind: type.kind },
  };
}

/** `GET /openapi/v3/<api/v1 | apis/group/version>`, or undefined for an unknown path. */
export function openApiDocument(path: string): Record<string, unknown> | undefined {
  const match = groupVersionPaths().find((item) => item.path === path);
  if (!match) return undefined;
  const paths: Record<string, unknown> = {};
  for (const type of resourcesInGroupVersion(match.group, match.version)) {
    const base = `/${match.path}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`;
    paths[base] = { post: operation(type, 'post'), get: operation(type, 'list') };
    paths[`${base}/{name}`] = { get: operation(type, 'get'), put: operation(type, 'put'), patch: operation(type, 'patch'), delete: operation(type, 'delete') };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}
