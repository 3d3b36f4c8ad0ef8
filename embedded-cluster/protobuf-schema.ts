/**
 * The protobuf field numbers of the built-in kinds whose protobuf request bodies the embedded
 * server decodes: Namespace, ConfigMap, Secret and Deployment (what `kubectl create
 * namespace|configmap|secret|deployment` sends; client-go's typed clients always send protobuf
 * for built-in kinds and, unlike for CBOR, never fall back to JSON on 415). Numbers are those
 * of k8s.io/api and k8s.io/apimachinery `generated.proto`. A field not listed here makes the
 * request fail with 415 rather than be dropped silently.
 */

/** How one field is decoded. */
export type FieldKind =
  | 'string'
  | 'int'
  | 'bool'
  /** Bytes, rendered base64 as in JSON (Secret data). */
  | 'bytes'
  /** metav1.Time: {seconds, nanos} rendered RFC 3339. */
  | 'time'
  /** resource.Quantity: {string} rendered as the string. */
  | 'quantity'
  /** intstr.IntOrString: {type, intVal, strVal}. */
  | 'intOrString'
  /** Decoded and dropped (status on create: the server owns it). */
  | 'skip';

/** One field of a message. */
export interface FieldSpec {
  /** The JSON name. */
  name: string;
  /** A scalar kind, or the name of a message in {@link MESSAGES}. */
  type: FieldKind | string;
  repeated?: boolean;
  /** A map<string, type> (encoded as repeated {1: key, 2: value} entries). */
  map?: boolean;
  /** A Go pointer: zero values are kept (replicas: 0), not treated as unset. */
  keep?: boolean;
}

export type MessageSpec = Record<number, FieldSpec>;

const s = (name: string): FieldSpec => ({ name, type: 'string' });
const i = (name: string, keep = false): FieldSpec => ({ name, type: 'int', keep });
const b = (name: string, keep = false): FieldSpec => ({ name, type: 'bool', keep });
const m = (name: string, type: string, keep = false): FieldSpec => ({ name, type, keep });
const list = (name: string, type: string): FieldSpec => ({ name, type, repeated: true });
const map = (name: string, type: string): FieldSpec => ({ name, type, map: true });

/** Message layouts by Go type name. */
export const MESSAGES: Record<string, MessageSpec> = {
  ObjectMeta: {
    1: s('name'), 2: s('generateName'), 3: s('namespace'), 4: s('selfLink'), 5: s('uid'), 6: s('resourceVersion'),
    7: i('generation'), 8: m('creationTimestamp', 'time'), 9: m('deletionTimestamp', 'time'), 10: i('deletionGracePeriodSeconds', true),
    11: map('labels', 'string'), 12: map('annotations', 'string'), 13: list('ownerReferences', 'OwnerReference'), 14: list('finalizers', 'string'),
    17: m('managedFields', 'skip'),
  },
  OwnerReference: { 1: s('kind'), 3: s('name'), 4: s('uid'), 5: s('apiVersion'), 6: b('controller', true), 7: b('blockOwnerDeletion', true) },
  LabelSelector: { 1: map('matchLabels', 'string'), 2: list('matchExpressions', 'LabelSelectorRequirement') },
  LabelSelectorRequirement: { 1: s('key'), 2: s('operator'), 3: list('values', 'string') },

  Namespace: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'NamespaceSpec'), 3: m('status', 'skip') },
  NamespaceSpec: { 1: list('finalizers', 'string') },
  ConfigMap: { 1: m('metadata', 'ObjectMeta'), 2: map('data', 'string'), 3: map('binaryData', 'bytes'), 4: b('immutable', true) },
  Secret: { 1: m('metadata', 'ObjectMeta'), 2: map('data', 'bytes'), 3: s('type'), 4: map('stringData', 'string'), 5: b('immutable', true) },

  Deployment: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'DeploymentSpec'), 3: m('status', 'skip') },
  DeploymentSpec: {
    1: i('replicas', true), 2: m('selector', 'LabelSelector'), 3: m('template', 'PodTemplateSpec'), 4: m('strategy', 'DeploymentStrategy'),
    5: i('minReadySeconds'), 6: i('revisionHistoryLimit', true), 7: b('paused'), 9: i('progressDeadlineSeconds', true),
  },
  DeploymentStrategy: { 1: s('type'), 2: m('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: m('maxUnavailable', 'intOrString', true), 2: m('maxSurge', 'intOrString', true) },

  PodTemplateSpec: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'PodSpec') },
  PodSpec: {
    2: list('containers', 'Container'), 3: s('restartPolicy'), 4: i('terminationGracePeriodSeconds', true), 5: i('activeDeadlineSeconds', true),
    6: s('dnsPolicy'), 7: map('nodeSelector', 'string'), 8: s('serviceAccountName'), 9: s('serviceAccount'), 10: s('nodeName'),
    11: b('hostNetwork'), 12: b('hostPID'), 13: b('hostIPC'), 15: list('imagePullSecrets', 'LocalObjectReference'), 16: s('hostname'),
    17: s('subdomain'), 19: s('schedulerName'), 20: list('initContainers', 'Container'), 21: b('automountServiceAccountToken', true),
    24: s('priorityClassName'), 25: i('priority', true), 30: b('enableServiceLinks', true),
  },
  LocalObjectReference: { 1: s('name') },
  Container: {
    1: s('name'), 2: s('image'), 3: list('command', 'string'), 4: list('args', 'string'), 5: s('workingDir'), 6: list('ports', 'ContainerPort'),
    7: list('env', 'EnvVar'), 8: m('resources', 'ResourceRequirements'), 13: s('terminationMessagePath'), 14: s('imagePullPolicy'),
    16: b('stdin'), 17: b('stdinOnce'), 18: b('tty'), 20: s('terminationMessagePolicy'),
  },
  ContainerPort: { 1: s('name'), 2: i('hostPort'), 3: i('containerPort'), 4: s('protocol'), 5: s('hostIP') },
  EnvVar: { 1: s('name'), 2: s('value') },
  ResourceRequirements: { 1: map('limits', 'quantity'), 2: map('requests', 'quantity') },
};

/** The top-level message of each kind the server decodes, by `apiVersion/kind`. */
export const PROTOBUF_KINDS: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'apps/v1/Deployment': 'Deployment',
};
