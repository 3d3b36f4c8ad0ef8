import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startTestCluster, statusOf, type TestCluster } from '../embedded-cluster/helpers.ts';

const DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

type Manifest = Record<string, any>;

/** Every object in deploy/kubernetes/*.yaml, namespaces first (as `kubectl apply -f` needs them). */
function loadManifests(): { file: string; object: Manifest }[] {
  const all = readdirSync(DIR)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
        expect(doc.errors, file).toEqual([]);
        return { file, object: doc.toJS() as Manifest };
      }),
    );
  return all.sort((a, b) => Number(b.object.kind === 'Namespace') - Number(a.object.kind === 'Namespace'));
}

const manifests = loadManifests();
const byKind = (kind: string): Manifest => {
  const found = manifests.filter((m) => m.object.kind === kind);
  expect(found.length, `one ${kind} in deploy/kubernetes`).toBe(1);
  return structuredClone(found[0]!.object);
};

/**
 * The embedded cluster serves core/v1, apps/v1 and batch/v1 but not policy/v1, so the
 * PodDisruptionBudget is checked against the same official schema models it uses, directly.
 */
const NOT_SERVED_BY_EMBEDDED = new Set(['PodDisruptionBudget']);

describe('deploy/kubernetes', () => {
  let test: TestCluster;
  let api: KubernetesObjectApi;

  beforeAll(async () => {
    test = await startTestCluster();
    api = KubernetesObjectApi.makeApiClient(test.kubeConfig);
  });
  afterAll(async () => {
    await test?.close();
  });

  it('every manifest is accepted by the API server (schema and semantic validation)', async () => {
    const kinds = manifests.map((m) => m.object.kind).sort();
    expect(kinds).toEqual(['Deployment', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Service']);
    for (const { file, object } of manifests) {
      if (NOT_SERVED_BY_EMBEDDED.has(object.kind)) {
        expect(() => new PodDisruptionBudget(object as never).validate(), file).not.toThrow();
        continue;
      }
      const created = await api.create(object as KubernetesObject).catch((error: { body?: unknown }) => {
        throw new Error(`${file}: ${object.kind} rejected: ${JSON.stringify(error.body)}`);
      });
      expect(created.metadata?.uid, file).toBeTruthy();
    }
    const stored = await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gantry', namespace: 'gantry' } });
    expect((stored as Manifest).spec.replicas).toBe(2);
  });

  it('a broken copy is rejected with 422, so the check above really validates', async () => {
    const broken = byKind('Deployment');
    broken.metadata.name = 'gantry-broken';
    broken.spec.replicas = 'two';
    const status = await statusOf(api.create(broken as KubernetesObject));
    expect(status.code).toBe(422);
    expect(status.reason).toBe('Invalid');

    const brokenPdb = byKind('PodDisruptionBudget');
    brokenPdb.spec.minAvailable = { one: 1 };
    expect(() => new PodDisruptionBudget(brokenPdb as never).validate()).toThrow();
  });

  it('runs two hardened replicas with probes, fed by the Secret, kept by the disruption budget', () => {
    const deployment = byKind('Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();

    // The data dir is a writable volume: the root filesystem is read-only.
    const dataDir = container.env.find((e: { name: string }) => e.name === 'GANTRY_DATA_DIR').value;
    expect(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain(dataDir);

    // Secrets come from the Secret, by keys the template defines; no value is inlined.
    const secret = byKind('Secret');
    for (const name of ['DATABASE_URL', 'GANTRY_SECRET_KEY']) {
      const env = container.env.find((e: { name: string }) => e.name === name);
      expect(env?.valueFrom?.secretKeyRef, name).toEqual({ name: secret.metadata.name, key: name });
      expect(Object.keys(secret.stringData)).toContain(name);
    }

    // The Service and the budget select exactly the Deployment's pods.
    const labels = deployment.spec.template.metadata.labels;
    expect(byKind('Service').spec.selector).toEqual(labels);
    const pdb = byKind('PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    for (const m of manifests) if (m.object.kind !== 'Namespace') expect(m.object.metadata.namespace, m.file).toBe('gantry');
  });
});
