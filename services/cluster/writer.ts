import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from './labels.ts';
import type { Manifest } from './manifests.ts';

import { statusOf } from './refusal.ts';

export { statusOf };

/**
 * Idempotent writes through `@kubernetes/client-node`: server-side apply with field manager
 * `gantry` (force, so Gantry owns the fields it sets), which makes repeating a write harmless.
 */
export class ClusterWriter {
  private readonly api: KubernetesObjectApi;
  private readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  /** A fresh LIST of one kind in a namespace, by label selector (not the watch caches). */
  async list(ref: { apiVersion: string; kind: string; namespace: string }, labelSelector: string): Promise<KubernetesObject[]> {
    const list = await this.api.list(ref.apiVersion, ref.kind, ref.namespace, undefined, undefined, undefined, undefined, labelSelector);
    return list.items;
  }

  /** A pod's log (its only container's); null when the pod is gone. */
  async podLog(namespace: string, pod: string): Promise<string | null> {
    try {
      return await this.core.readNamespacedPodLog({ name: pod, namespace });
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  /** Applies one object; returns it as the API server stored it. */
  async apply(manifest: Manifest): Promise<KubernetesObject> {
    return this.api.patch(manifest as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  /** Reads an object back; null when it does not exist. */
  async read(ref: Pick<Manifest, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } }): Promise<KubernetesObject | null> {
    try {
      return await this.api.read(ref as KubernetesObject & { metadata: { name: string; namespace: string } });
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  /** Scales with a merge patch on `spec.replicas`: leaves every other field and its owner alone. */
  async scale(ref: Pick<Manifest, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } }, replicas: number): Promise<void> {
    await this.api.patch({ ...ref, spec: { replicas } } as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
  }

  /** Deletes an object; absent already counts as done. */
  async delete(ref: Pick<Manifest, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } }): Promise<void> {
    try {
      await this.api.delete(ref as KubernetesObject, undefined, undefined, undefined, undefined, 'Background');
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}
