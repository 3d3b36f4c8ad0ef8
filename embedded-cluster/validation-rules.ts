/**
 * The semantic checks the real API server performs beyond the OpenAPI schema: name formats,
 * label syntax, pod templates, workload selectors. Messages copy the server's wording.
 */
import { parseCronSchedule } from './controllers/cron-schedule.ts';
import type { StatusCause } from './errors.ts';
import { isJsonObject, type KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';
import { fromLabelSelector, type LabelSelector } from './selectors.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Types whose names must be DNS-1123 labels (they become DNS names or path segments). */
const LABEL_NAMED = new Set(['namespaces', 'services']);

function invalidValue(field: string, value: unknown, why: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field };
}

function required(field: string, message = 'Required value'): StatusCause {
  return { reason: 'FieldValueRequired', message, field };
}

/** Checks a name against DNS-1123 label or subdomain rules; returns the cause or undefined. */
export function nameCause(name: string, field: string, asLabel: boolean): StatusCause | undefined {
  if (asLabel) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return invalidValue(
        field,
        name,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      );
    }
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return invalidValue(
      field,
      name,
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return undefined;
}

function labelCauses(labels: unknown, field: string): StatusCause[] {
  if (!isJsonObject(labels)) return [];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!QUALIFIED_NAME.test(key) || key.length > 316) causes.push(invalidValue(field, key, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\''));
    if (typeof value === 'string' && (value.length > 63 || !LABEL_VALUE.test(value))) {
      causes.push(invalidValue(`${field}`, value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
    }
  }
  return causes;
}

interface ContainerLike {
  name?: unknown;
  image?: unknown;
}

/** Pod spec rules: at least one container, each with a DNS-label name (unique) and an image. */
function podSpecCauses(spec: unknown, field: string, restartPolicies?: string[]): StatusCause[] {
  if (!isJsonObject(spec)) return [required(field)];
  const causes: StatusCause[] = [];
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push(required(`${field}.containers`));
    return causes;
  }
  const seen = new Set<string>();
  containers.forEach((raw, index) => {
    const container = (isJsonObject(raw) ? raw : {}) as ContainerLike;
    const at = `${field}.containers[${index}]`;
    if (typeof container.name !== 'string' || container.name === '') causes.push(required(`${at}.name`));
    else {
      const cause = nameCause(container.name, `${at}.name`, true);
      if (cause) causes.push(cause);
      if (seen.has(container.name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${container.name}"`, field: `${at}.name` });
      seen.add(container.name);
    }
    if (typeof container.image !== 'string' || container.image.trim() === '') causes.push(required(`${at}.image`));
  });
  if (restartPolicies) {
    const policy = spec['restartPolicy'];
    if (typeof policy !== 'string' || !restartPolicies.includes(policy)) {
      causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(policy ?? '')}: supported values: ${restartPolicies.map((p) => `"${p}"`).join(', ')}`, field: `${field}.restartPolicy` });
    }
  }
  return causes;
}

/** Workloads: a selector that selects the template's labels, a valid template, non-negative replicas. */
function workloadCauses(spec: unknown, restartPolicies?: string[], selectorRequired = true): StatusCause[] {
  if (!isJsonObject(spec)) return [required('spec')];
  const causes: StatusCause[] = [];
  const template = isJsonObject(spec['template']) ? spec['template'] : undefined;
  const templateLabels = isJsonObject(template?.['metadata']) ? (template['metadata']['labels'] as Record<string, string> | undefined) : undefined;
  const selector = spec['selector'] as LabelSelector | undefined;
  if (selectorRequired && !selector) causes.push(required('spec.selector'));
  if (selector && !fromLabelSelector(selector).matches(templateLabels)) {
    causes.push(invalidValue('spec.template.metadata.labels', templateLabels ?? {}, '`selector` does not match template `labels`'));
  }
  const replicas = spec['replicas'];
  if (typeof replicas === 'number' && replicas < 0) causes.push(invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0'));
  causes.push(...podSpecCauses(template?.['spec'], 'spec.template.spec', restartPolicies));
  return causes;
}

/** Returns the semantic violations of an object (empty when valid). */
export function semanticCauses(type: ResourceType, object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const { name, generateName } = object.metadata;
  if (!name && !generateName) causes.push(required('metadata.name', 'name or generateName is required'));
  if (name) {
    const cause = nameCause(name, 'metadata.name', LABEL_NAMED.has(type.id));
    if (cause) causes.push(cause);
  }
  causes.push(...labelCauses(object.metadata.labels, 'metadata.labels'));
  const spec = object['spec'];
  switch (type.id) {
    case 'pods':
      causes.push(...podSpecCauses(spec, 'spec'));
      break;
    case 'deployments.apps':
    case 'replicasets.apps':
      causes.push(...workloadCauses(spec));
      break;
    case 'jobs.batch':
      causes.push(...workloadCauses(spec, ['OnFailure', 'Never'], false));
      break;
    case 'cronjobs.batch':
      causes.push(...cronJobCauses(spec));
      break;
    case 'configmaps':
    case 'secrets':
      for (const key of Object.keys({ ...(object['data'] as object), ...(object['binaryData'] as object) })) {
        if (!CONFIG_KEY.test(key)) causes.push(invalidValue(`data[${key}]`, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
      }
      break;
  }
  return causes;
}

function cronJobCauses(spec: unknown): StatusCause[] {
  if (!isJsonObject(spec)) return [required('spec')];
  const causes: StatusCause[] = [];
  const schedule = spec['schedule'];
  if (typeof schedule !== 'string' || schedule === '') causes.push(required('spec.schedule'));
  else {
    try {
      parseCronSchedule(schedule);
    } catch (error) {
      causes.push(invalidValue('spec.schedule', schedule, (error as Error).message));
    }
  }
  const timeZone = spec['timeZone'];
  if (timeZone !== undefined && timeZone !== null) {
    try {
      parseCronSchedule('* * * * *', String(timeZone));
    } catch {
      causes.push(invalidValue('spec.timeZone', String(timeZone), 'unknown time zone'));
    }
  }
  const jobTemplate = isJsonObject(spec['jobTemplate']) ? spec['jobTemplate'] : undefined;
  const jobSpec = jobTemplate?.['spec'];
  const template = isJsonObject(jobSpec) ? jobSpec['template'] : undefined;
  const podSpec = isJsonObject(template) ? template['spec'] : undefined;
  causes.push(...podSpecCauses(podSpec, 'spec.jobTemplate.spec.template.spec', ['OnFailure', 'Never']));
  return causes;
}
