/**
 * Shared helpers for the embedded cluster tests: a fast cluster per test, clients, kubectl,
 * and polling.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster, type EmbeddedClusterOptions, type KubeObject } from '../../embedded-cluster/index.ts';

const run = promisify(execFile);

/** A started cluster with API clients and a private data directory. */
export interface TestCluster {
  cluster: EmbeddedCluster;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  custom: CustomObjectsApi;
  dataDir: string;
  close(): Promise<void>;
}

/** Simulated time runs 50x faster than real time: a 1.5 s container start takes 30 ms. */
export const FAST_TIME_SCALE = 0.02;

/** Starts a cluster on a free port with fast simulated time and a temporary data directory. */
export async function startTestCluster(options: EmbeddedClusterOptions = {}): Promise<TestCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gantry-embedded-'));
  const cluster = await startEmbeddedCluster({ timeScale: FAST_TIME_SCALE, dataDir, ...options });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cluster.kubeConfigYaml);
  return {
    cluster,
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    dataDir,
    async close() {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs kubectl against the cluster with a private cache directory; resolves with stdout. */
export async function kubectl(test: TestCluster, args: string[], timeoutMs = 20_000): Promise<string> {
  if (!test.cluster.kubeconfigPath) throw new Error('the test cluster has no kubeconfig file');
  const { stdout } = await run('kubectl', ['--kubeconfig', test.cluster.kubeconfigPath, '--cache-dir', join(test.dataDir, 'kube-cache'), ...args], {
    timeout: timeoutMs,
  });
  return stdout;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A Deployment manifest with sensible defaults. */
export function aDeployment(name: string, overrides: { image?: string; replicas?: number; namespace?: string; strategy?: Record<string, unknown>; extraSpec?: Record<string, unknown> } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: overrides.namespace ?? 'default', labels: { app: name } },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      ...(overrides.strategy ? { strategy: overrides.strategy } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: overrides.image ?? 'registry.local/app:1.0.0', ports: [{ containerPort: 8080 }] }] },
      },
      ...overrides.extraSpec,
    },
  };
}

/** A ConfigMap manifest. */
export function aConfigMap(name: string, data: Record<string, string> = { key: 'value' }, labels: Record<string, string> = {}, namespace = 'default') {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

/** Returns the HTTP status code of a rejected client-node call. */
export async function statusCodeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
  throw new Error('expected the call to fail');
}

/** Returns the parsed Status body of a rejected client-node call. */
export async function statusOf(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string; details?: { causes?: Array<{ field?: string }> } }> {
  try {
    await promise;
  } catch (error) {
    const body = (error as { body?: unknown }).body;
    return (typeof body === 'string' ? JSON.parse(body) : body) as never;
  }
  throw new Error('expected the call to fail');
}

/** A fresh cluster for every test of the file: handed to `use` before each test, closed after it. */
export function aClusterPerTest(use: (test: TestCluster) => void, options?: EmbeddedClusterOptions): void {
  let current: TestCluster | undefined;
  beforeEach(async () => {
    current = await startTestCluster(options);
    use(current);
  });
  afterEach(async () => {
    await current?.close();
  });
}

/** Loosely typed object fields, for assertions on what the API server stored. */
export type Loose = Record<string, any>;
export const statusField = (object: KubeObject | undefined): Loose => (object?.['status'] ?? {}) as Loose;
export const specField = (object: KubeObject | undefined): Loose => (object?.['spec'] ?? {}) as Loose;
