/**
 * The registry of resource types the embedded API server serves: everything discovery,
 * routing, validation and tables need to know about a type lives in one row here.
 */

/** A subresource served under `<resource>/<name>/<subresource>`. */
export type Subresource = 'status' | 'scale' | 'log';

/** One served resource type (one group/version/plural). */
export interface ResourceType {
  /** `plural` for the core group, `plural.group` otherwise; the key used by the store. */
  readonly id: string;
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly subresources: readonly Subresource[];
  /**
   * False for custom resources (Istio, Gateway API): the real API server rejects strategic
   * merge patches for them with 415, and kubectl then falls back to merge patches.
   */
  readonly builtIn: boolean;
}

interface ResourceSpec {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: Subresource[];
  builtIn?: boolean;
}

function defineResource(spec: ResourceSpec): ResourceType {
  return {
    id: spec.group ? `${spec.plural}.${spec.group}` : spec.plural,
    group: spec.group,
    version: spec.version,
    apiVersion: spec.group ? `${spec.group}/${spec.version}` : spec.version,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    namespaced: spec.namespaced ?? true,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    subresources: spec.subresources ?? [],
    builtIn: spec.builtIn ?? true,
  };
}

const ISTIO = 'networking.istio.io';
const GATEWAY_API = 'gateway.networking.k8s.io';

/** Every served resource type, in discovery order. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  defineResource({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], subresources: ['status'] }),
  defineResource({ group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  defineResource({ group: '', version: 'v1', plural: 'pods', kind: 'Pod', shortNames: ['po'], categories: ['all'], subresources: ['status', 'log'] }),
  defineResource({ group: '', version: 'v1', plural: 'services', kind: 'Service', shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  defineResource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  defineResource({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret' }),
  defineResource({ group: '', version: 'v1', plural: 'events', kind: 'Event', shortNames: ['ev'] }),
  defineResource({ group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  defineResource({ group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  defineResource({ group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', categories: ['all'], subresources: ['status'] }),
  defineResource({ group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  defineResource({ group: ISTIO, version: 'v1', plural: 'virtualservices', kind: 'VirtualService', shortNames: ['vs'], categories: ['istio-io', 'networking-istio-io'], subresources: ['status'], builtIn: false }),
  defineResource({ group: ISTIO, version: 'v1', plural: 'destinationrules', kind: 'DestinationRule', shortNames: ['dr'], categories: ['istio-io', 'networking-istio-io'], subresources: ['status'], builtIn: false }),
  defineResource({ group: GATEWAY_API, version: 'v1', plural: 'gateways', kind: 'Gateway', shortNames: ['gtw'], categories: ['gateway-api'], subresources: ['status'], builtIn: false }),
  defineResource({ group: GATEWAY_API, version: 'v1', plural: 'httproutes', kind: 'HTTPRoute', categories: ['gateway-api'], subresources: ['status'], builtIn: false }),
];

/** A served group with its (single) version. */
export interface GroupVersion {
  group: string;
  version: string;
}

/** Returns the served API groups (excluding the core group), in discovery order. */
export function servedGroups(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const type of RESOURCE_TYPES) {
    if (type.group && !seen.has(type.group)) seen.set(type.group, { group: type.group, version: type.version });
  }
  return [...seen.values()];
}

/** Returns the types served under one group/version. */
export function resourcesInGroupVersion(group: string, version: string): ResourceType[] {
  return RESOURCE_TYPES.filter((type) => type.group === group && type.version === version);
}

/** Finds the type served at `/apis/<group>/<version>/<plural>`, or undefined. */
export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => type.group === group && type.version === version && type.plural === plural);
}

/** Finds the type of an object by its `apiVersion` and `kind`, or undefined. */
export function findResourceByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => type.apiVersion === apiVersion && type.kind === kind);
}

/** Anything that names a resource type for the in-process API: a type, or a name like `po`, `pods`, `Deployment`, `deployments.apps`. */
export type ResourceRef = ResourceType | string;

/**
 * Resolves a {@link ResourceRef} the way kubectl resolves resource arguments.
 * @throws Error when nothing matches, so typos in tests fail loudly.
 */
export function resolveResource(ref: ResourceRef): ResourceType {
  if (typeof ref !== 'string') return ref;
  const wanted = ref.toLowerCase();
  const match = RESOURCE_TYPES.find(
    (type) =>
      type.id === wanted ||
      type.plural === wanted ||
      type.singular === wanted ||
      type.shortNames.includes(wanted) ||
      type.kind.toLowerCase() === wanted,
  );
  if (!match) throw new Error(`unknown resource type "${ref}"`);
  return match;
}
