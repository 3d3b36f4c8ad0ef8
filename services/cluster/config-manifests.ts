/**
 * A config revision as Kubernetes objects: one immutable ConfigMap (`<app>-config-<n>`, the
 * variables and files) and one immutable Secret (`<app>-secrets-<n>`) per revision, and what a
 * pod template needs to use them (env and a volume). Pods of different revisions run side by
 * side, each reading its own objects.
 */
import { createHash } from 'node:crypto';
import { LABELS } from './labels.ts';
import { baseLabels, type Manifest, type WorkloadTarget } from './manifests.ts';

/** Where files appear in the app's containers. */
export const CONFIG_MOUNT_PATH = '/etc/gantry/config';

/** A revision with its secret values opened: only ever built in memory, right before a write. */
export interface RenderedConfig {
  revision: number;
  variables: readonly { name: string; value: string }[];
  files: readonly { path: string; content: string }[];
  secrets: readonly { name: string; value: string }[];
}

export const configMapName = (app: string, revision: number) => `${app}-config-${revision}`;
export const secretName = (app: string, revision: number) => `${app}-secrets-${revision}`;

/** ConfigMap keys: variables as `env.<NAME>`, files as `file.<i>` (paths hold '/', which keys may not). */
const envKey = (name: string) => `env.${name}`;
const fileKey = (index: number) => `file.${index}`;

const HASH_ANNOTATION = 'gantry.io/config-hash';

function labelsOf(target: WorkloadTarget, revision: number): Record<string, string> {
  return { ...baseLabels(target), [LABELS.configRevision]: String(revision) };
}

/**
 * The revision's ConfigMap and Secret, immutable. The hash annotation fingerprints the whole
 * revision, so an object left by another database or a tampered one is told apart from ours.
 */
export function configObjects(target: WorkloadTarget, config: RenderedConfig): Manifest[] {
  const hash = createHash('sha256').update(JSON.stringify([config.variables, config.files, config.secrets])).digest('hex').slice(0, 32);
  const metadata = (name: string) => ({ name, namespace: target.namespace, labels: labelsOf(target, config.revision), annotations: { [HASH_ANNOTATION]: hash } });
  const data: Record<string, string> = {};
  for (const v of config.variables) data[envKey(v.name)] = v.value;
  config.files.forEach((f, i) => (data[fileKey(i)] = f.content));
  const secretData: Record<string, string> = {};
  for (const s of config.secrets) secretData[s.name] = Buffer.from(s.value, 'utf8').toString('base64');
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(configMapName(target.app, config.revision)), immutable: true, data },
    { apiVersion: 'v1', kind: 'Secret', metadata: metadata(secretName(target.app, config.revision)), type: 'Opaque', immutable: true, data: secretData },
  ];
}

/** What a pod template gets from a revision: the container's env and volume mount, and the pod's volume. */
export interface PodConfig {
  env: Record<string, unknown>[];
  volumeMounts: Record<string, unknown>[];
  volumes: Record<string, unknown>[];
}

/** The env, mount and volume of revision `config` (values are references: nothing secret is copied into the pod spec). */
export function podConfig(app: string, config: Pick<RenderedConfig, 'revision' | 'variables' | 'files' | 'secrets'>): PodConfig {
  const configMap = configMapName(app, config.revision);
  const secret = secretName(app, config.revision);
  const env = [
    ...config.variables.map((v) => ({ name: v.name, valueFrom: { configMapKeyRef: { name: configMap, key: envKey(v.name) } } })),
    ...config.secrets.map((s) => ({ name: s.name, valueFrom: { secretKeyRef: { name: secret, key: s.name } } })),
  ].sort((a, b) => (a.name < b.name ? -1 : 1));
  const items = config.files.map((f, i) => ({ key: fileKey(i), path: f.path }));
  return {
    env,
    volumeMounts: [{ name: 'gantry-config', mountPath: CONFIG_MOUNT_PATH, readOnly: true }],
    volumes: [{ name: 'gantry-config', configMap: { name: configMap, items } }],
  };
}

/** The label selector of every config object of an app in one environment. */
export function configObjectsSelector(target: WorkloadTarget): string {
  return `${LABELS.instance}=${target.app}-${target.environment},${LABELS.configRevision}`;
}
