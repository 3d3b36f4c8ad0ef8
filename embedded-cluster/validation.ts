/**
 * Validation of written objects: the official OpenAPI schemas (through the
 * kubernetes-models packages), then the semantic rules the real API server adds on top
 * (names, labels, containers, selectors). Failures become 422 Invalid with one cause per field.
 */
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Event } from 'kubernetes-models/v1/Event';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Node } from 'kubernetes-models/v1/Node';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { invalid, type StatusCause } from './errors.ts';
import type { KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';
import { semanticCauses } from './validation-rules.ts';

interface ValidatableModel {
  validate(): void;
}

type ModelConstructor = new (data: Record<string, unknown>) => ValidatableModel;

/**
 * Schema models by resource id. Istio's v1 API is schema-identical to v1beta1, the newest
 * version the models package ships, so v1 objects are checked against v1beta1.
 */
const MODELS: Record<string, { model: ModelConstructor; apiVersion: string }> = {
  namespaces: { model: Namespace as unknown as ModelConstructor, apiVersion: 'v1' },
  nodes: { model: Node as unknown as ModelConstructor, apiVersion: 'v1' },
  pods: { model: Pod as unknown as ModelConstructor, apiVersion: 'v1' },
  services: { model: Service as unknown as ModelConstructor, apiVersion: 'v1' },
  configmaps: { model: ConfigMap as unknown as ModelConstructor, apiVersion: 'v1' },
  secrets: { model: Secret as unknown as ModelConstructor, apiVersion: 'v1' },
  events: { model: Event as unknown as ModelConstructor, apiVersion: 'v1' },
  'deployments.apps': { model: Deployment as unknown as ModelConstructor, apiVersion: 'apps/v1' },
  'replicasets.apps': { model: ReplicaSet as unknown as ModelConstructor, apiVersion: 'apps/v1' },
  'jobs.batch': { model: Job as unknown as ModelConstructor, apiVersion: 'batch/v1' },
  'cronjobs.batch': { model: CronJob as unknown as ModelConstructor, apiVersion: 'batch/v1' },
  'virtualservices.networking.istio.io': { model: VirtualService as unknown as ModelConstructor, apiVersion: 'networking.istio.io/v1beta1' },
  'destinationrules.networking.istio.io': { model: DestinationRule as unknown as ModelConstructor, apiVersion: 'networking.istio.io/v1beta1' },
  'gateways.gateway.networking.k8s.io': { model: Gateway as unknown as ModelConstructor, apiVersion: 'gateway.networking.k8s.io/v1' },
  'httproutes.gateway.networking.k8s.io': { model: HTTPRoute as unknown as ModelConstructor, apiVersion: 'gateway.networking.k8s.io/v1' },
};

/** What the models' ValidationError carries: Ajv errors. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Turns `/spec/containers/0/image` into `spec.containers[0].image`, the API server's field notation. */
export function fieldPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : path ? `.${segment}` : segment;
  }
  return path;
}

function causeFromSchemaError(error: SchemaError, object: unknown): StatusCause {
  if (error.keyword === 'required') {
    const missing = String(error.params['missingProperty'] ?? '');
    const field = [fieldPath(error.instancePath), missing].filter(Boolean).join('.');
    return { reason: 'FieldValueRequired', message: 'Required value', field };
  }
  const field = fieldPath(error.instancePath);
  const value = JSON.stringify(valueAt(object, error.instancePath));
  if (error.keyword === 'enum') {
    const allowed = ((error.params['allowedValues'] as unknown[]) ?? []).map((item) => JSON.stringify(item)).join(', ');
    return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${value}: supported values: ${allowed}`, field };
  }
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${error.message ?? 'is invalid'}`, field };
}

function valueAt(object: unknown, pointer: string): unknown {
  let current = object;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

/** Returns the schema violations of an object (empty when valid). */
export function schemaCauses(type: ResourceType, object: KubeObject): StatusCause[] {
  const entry = MODELS[type.id];
  if (!entry) return [];
  try {
    new entry.model({ ...object, apiVersion: entry.apiVersion, kind: type.kind }).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) return [{ reason: 'FieldValueInvalid', message: String(error) }];
    return errors.map((item) => causeFromSchemaError(item, object));
  }
}

/**
 * Validates an object about to be written.
 * @throws ApiError 422 Invalid listing every violation.
 */
export function validateObject(type: ResourceType, object: KubeObject): void {
  const causes = [...schemaCauses(type, object), ...semanticCauses(type, object)];
  if (causes.length > 0) throw invalid(type, object.metadata.name || object.metadata.generateName || '', causes);
}
