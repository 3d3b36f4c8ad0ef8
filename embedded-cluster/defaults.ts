/**
 * Defaulting, as the real API server does before validation: the fields a client leaves
 * out come back filled in (`replicas: 1`, `strategy`, `imagePullPolicy`, …), so objects read
 * back look like a real cluster's and controllers can rely on them.
 */
import { isJsonObject, type JsonObject, type KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';

function objectAt(parent: JsonObject | Record<string, unknown>, key: string): JsonObject {
  const value = parent[key];
  if (isJsonObject(value)) return value;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function setDefault(target: JsonObject, key: string, value: JsonObject[string]): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function imagePullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  const lastSegment = image.split('/').pop() ?? '';
  const tag = image.includes('@') ? 'digest' : lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Fills pod spec defaults (also used for templates inside workloads). */
export function defaultPodSpec(spec: JsonObject): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  for (const field of ['containers', 'initContainers']) {
    const containers = spec[field];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isJsonObject(container)) continue;
      setDefault(container, 'imagePullPolicy', imagePullPolicy(container['image']));
      setDefault(container, 'terminationMessagePath', '/dev/termination-log');
      setDefault(container, 'terminationMessagePolicy', 'File');
      setDefault(container, 'resources', {});
      const ports = container['ports'];
      if (Array.isArray(ports)) for (const port of ports) if (isJsonObject(port)) setDefault(port, 'protocol', 'TCP');
    }
  }
}

function defaultTemplate(spec: JsonObject): void {
  const template = objectAt(spec, 'template');
  objectAt(template, 'metadata');
  defaultPodSpec(objectAt(template, 'spec'));
}

function randomClusterIp(): string {
  return `10.96.${Math.floor(Math.random() * 255)}.${1 + Math.floor(Math.random() * 253)}`;
}

/** Applies the defaults for a type to an object about to be created or updated (in place). */
export function applyDefaults(type: ResourceType, object: KubeObject): void {
  const spec = isJsonObject(object['spec']) ? object['spec'] : undefined;
  switch (type.id) {
    case 'namespaces': {
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name };
      setDefault(objectAt(object, 'spec'), 'finalizers', ['kubernetes']);
      setDefault(objectAt(object, 'status'), 'phase', 'Active');
      break;
    }
    case 'pods':
      if (spec) defaultPodSpec(spec);
      setDefault(objectAt(object, 'status'), 'phase', 'Pending');
      break;
    case 'services': {
      const serviceSpec = objectAt(object, 'spec');
      setDefault(serviceSpec, 'type', 'ClusterIP');
      setDefault(serviceSpec, 'sessionAffinity', 'None');
      if (serviceSpec['clusterIP'] !== 'None') setDefault(serviceSpec, 'clusterIP', randomClusterIp());
      const ports = serviceSpec['ports'];
      if (Array.isArray(ports)) {
        for (const port of ports) {
          if (!isJsonObject(port)) continue;
          setDefault(port, 'protocol', 'TCP');
          setDefault(port, 'targetPort', port['port'] ?? null);
        }
      }
      break;
    }
    case 'secrets': {
      setDefault(object as unknown as JsonObject, 'type', 'Opaque');
      const stringData = object['stringData'];
      if (isJsonObject(stringData)) {
        const data = objectAt(object, 'data');
        for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value)).toString('base64');
        delete object['stringData'];
      }
      break;
    }
    case 'deployments.apps': {
      if (!spec) break;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      const strategy = objectAt(spec, 'strategy');
      setDefault(strategy, 'type', 'RollingUpdate');
      if (strategy['type'] === 'RollingUpdate') {
        const rolling = objectAt(strategy, 'rollingUpdate');
        setDefault(rolling, 'maxSurge', '25%');
        setDefault(rolling, 'maxUnavailable', '25%');
      }
      defaultTemplate(spec);
      break;
    }
    case 'replicasets.apps':
      if (!spec) break;
      setDefault(spec, 'replicas', 1);
      defaultTemplate(spec);
      break;
    case 'jobs.batch':
      if (!spec) break;
      setDefault(spec, 'parallelism', 1);
      setDefault(spec, 'completions', 1);
      setDefault(spec, 'backoffLimit', 6);
      setDefault(spec, 'completionMode', 'NonIndexed');
      setDefault(spec, 'suspend', false);
      defaultTemplate(spec);
      break;
    case 'cronjobs.batch': {
      if (!spec) break;
      setDefault(spec, 'concurrencyPolicy', 'Allow');
      setDefault(spec, 'suspend', false);
      setDefault(spec, 'successfulJobsHistoryLimit', 3);
      setDefault(spec, 'failedJobsHistoryLimit', 1);
      const jobSpec = objectAt(objectAt(spec, 'jobTemplate'), 'spec');
      defaultTemplate(jobSpec);
      break;
    }
  }
}

/**
 * Jobs get a selector on their own uid, and their pod template the matching labels, so
 * their pods can never be confused with another Job's (the real server does the same).
 */
export function defaultJobSelector(object: KubeObject): void {
  const spec = isJsonObject(object['spec']) ? object['spec'] : undefined;
  const uid = object.metadata.uid;
  if (!spec || !uid || spec['selector']) return;
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': object.metadata.name, 'controller-uid': uid, 'job-name': object.metadata.name };
  spec['selector'] = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const metadata = objectAt(objectAt(spec, 'template'), 'metadata');
  metadata['labels'] = { ...(isJsonObject(metadata['labels']) ? metadata['labels'] : {}), ...labels };
}
