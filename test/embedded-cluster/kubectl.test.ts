import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aDeployment, eventually, kubectl, aClusterPerTest, type TestCluster } from './helpers.ts';

let test: TestCluster;
aClusterPerTest((started) => (test = started));

/** Starts a long-running kubectl (`get -w`, `logs -f`) and collects its output until stopped. */
function kubectlStream(args: string[]): { output: () => string; stop: () => void } {
  const child = spawn('kubectl', ['--kubeconfig', test.cluster.kubeconfigPath ?? '', '--cache-dir', join(test.dataDir, 'kube-cache'), ...args]);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { output: () => output, stop: () => child.kill() };
}

const manifest = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${image}
          env: [{name: MODE, value: prod}]
          ports: [{containerPort: 8080}]
`;

async function deployWeb(replicas = 2): Promise<void> {
  await test.apps.createNamespacedDeployment({ namespace: 'default', body: { ...aDeployment('web', { replicas }) } });
  await eventually(() => test.cluster.store.list('pods', { labelSelector: 'app=web' }).filter((pod) => (pod['status'] as { containerStatuses?: Array<{ ready: boolean }> }).containerStatuses?.[0]?.ready).length === replicas, 10_000, 'ready pods');
}

describe('kubectl against the embedded cluster', () => {
  it('applies a YAML file twice: the first apply creates, the second updates through a patch', async () => {
    const file = join(test.dataDir, 'web.yaml');
    await writeFile(file, manifest('registry.local/web:1'));
    expect(await kubectl(test, ['apply', '-f', file])).toContain('deployment.apps/web created');
    await writeFile(file, manifest('registry.local/web:2'));
    expect(await kubectl(test, ['apply', '-f', file])).toContain('deployment.apps/web configured');
    const deployment = test.cluster.store.get('deployments', 'default', 'web');
    expect((deployment?.['spec'] as any).template.spec.containers[0]).toMatchObject({ image: 'registry.local/web:2', env: [{ name: 'MODE', value: 'prod' }] });
    expect(deployment?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('registry.local/web:2');
    expect(deployment?.metadata.generation).toBe(2);
  });

  it('lists with server-side table columns and prints single objects as YAML', async () => {
    await deployWeb();
    const table = await kubectl(test, ['get', 'deploy,po']);
    expect(table).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(table).toMatch(/deployment\.apps\/web\s+2\/2\s+2\s+2/);
    expect(table).toMatch(/pod\/web-\w+-\w{5}\s+1\/1\s+Running\s+0/);
    const yamlText = await kubectl(test, ['get', 'deployment', 'web', '-o', 'yaml']);
    expect(parse(yamlText)).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { readyReplicas: 2 } });
  });

  it('streams changes with get -w', async () => {
    const watch = kubectlStream(['get', 'configmaps', '-w']);
    try {
      await eventually(() => test.cluster.openWatchCount > 0, 10_000, 'kubectl to start watching');
      await test.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' }, data: { a: '1' } } });
      await eventually(() => /watched\s+1\s+/.test(watch.output()), 10_000, 'the watched configmap in kubectl output');
    } finally {
      watch.stop();
    }
  });

  it('describes a deployment with its replica set and events', async () => {
    await deployWeb();
    const description = await kubectl(test, ['describe', 'deploy', 'web']);
    expect(description).toMatch(/Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable/);
    expect(description).toMatch(/NewReplicaSet:\s+web-\w+ \(2\/2 replicas created\)/);
    expect(description).toMatch(/ScalingReplicaSet\s+.*Scaled up replica set web-\w+ from 0 to 2/);
  });

  it('scales a deployment with kubectl scale', async () => {
    await deployWeb(1);
    expect(await kubectl(test, ['scale', 'deployment/web', '--replicas=3'])).toContain('deployment.apps/web scaled');
    await eventually(() => test.cluster.store.list('pods', { labelSelector: 'app=web' }).length === 3, 10_000, 'three pods');
  });

  it('prints logs and follows them', async () => {
    await deployWeb(1);
    const [pod] = test.cluster.store.list('pods', { labelSelector: 'app=web' });
    const name = pod?.metadata.name ?? '';
    await eventually(() => test.cluster.logs.read(pod?.metadata.uid ?? '', 'app').length >= 3, 5000, 'log lines');
    expect(await kubectl(test, ['logs', name, '--tail=1'])).toMatch(/^\S+Z INFO web handled request id=\w+/);
    const follow = kubectlStream(['logs', '-f', name, '--tail=0']);
    try {
      await eventually(() => follow.output().split('\n').filter((line) => line.includes('handled request')).length >= 2, 10_000, 'followed lines');
    } finally {
      follow.stop();
    }
  });

  it('deletes a pod and waits until it is gone; the ReplicaSet replaces it', async () => {
    await deployWeb(1);
    const [pod] = test.cluster.store.list('pods', { labelSelector: 'app=web' });
    expect(await kubectl(test, ['delete', 'pod', pod?.metadata.name ?? ''])).toContain('deleted');
    expect(test.cluster.store.get('pods', 'default', pod?.metadata.name ?? '')).toBeUndefined();
    await eventually(() => test.cluster.store.list('pods', { labelSelector: 'app=web' }).length === 1, 10_000, 'a replacement pod');
  });

  it('creates a namespace, config map, secret and deployment with kubectl create (protobuf request bodies)', async () => {
    expect(await kubectl(test, ['create', 'namespace', 'team-a'])).toContain('namespace/team-a created');
    expect(test.cluster.store.get('namespaces', undefined, 'team-a')?.['status']).toEqual({ phase: 'Active' });

    const binary = join(test.dataDir, 'blob.bin');
    await writeFile(binary, Buffer.from([0xff, 0x00, 0x80]));
    expect(await kubectl(test, ['create', 'configmap', 'settings', '-n', 'team-a', '--from-literal=mode=fast', '--from-literal=level=3', `--from-file=blob=${binary}`])).toContain('configmap/settings created');
    expect(parse(await kubectl(test, ['get', 'configmap', 'settings', '-n', 'team-a', '-o', 'yaml']))).toMatchObject({ data: { mode: 'fast', level: '3' }, binaryData: { blob: '/wCA' } });

    expect(await kubectl(test, ['create', 'secret', 'generic', 'db', '-n', 'team-a', '--from-literal=password=s3cr3t', '--type=example.com/db'])).toContain('secret/db created');
    const secret = parse(await kubectl(test, ['get', 'secret', 'db', '-n', 'team-a', '-o', 'yaml']));
    expect(secret).toMatchObject({ type: 'example.com/db', data: { password: Buffer.from('s3cr3t').toString('base64') } });

    expect(await kubectl(test, ['create', 'deployment', 'api', '-n', 'team-a', '--image=registry.local/api:1', '--replicas=2', '--port=8080'])).toContain('deployment.apps/api created');
    expect(await kubectl(test, ['create', 'deployment', 'worker', '-n', 'team-a', '--image=registry.local/worker:1', '--', 'run', '--queue=jobs'])).toContain('deployment.apps/worker created');
    const api = parse(await kubectl(test, ['get', 'deployment', 'api', '-n', 'team-a', '-o', 'yaml']));
    expect(api.metadata.labels).toEqual({ app: 'api' });
    expect(api.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'api' } } });
    expect(api.spec.template.spec.containers).toMatchObject([{ name: 'api', image: 'registry.local/api:1', ports: [{ containerPort: 8080, protocol: 'TCP' }] }]);
    const worker = test.cluster.store.get('deployments', 'team-a', 'worker');
    expect((worker?.['spec'] as any).template.spec.containers[0].command).toEqual(['run', '--queue=jobs']);
    await eventually(() => test.cluster.store.list('pods', { namespace: 'team-a', labelSelector: 'app=api' }).length === 2, 10_000, 'the deployment created with kubectl create to start its pods');
  });

  it('rejects a protobuf body of a kind it cannot decode with 415 UnsupportedMediaType naming the kind', async () => {
    const envelope = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x0d, 0x0a, 0x02]), Buffer.from('v1'), Buffer.from([0x12, 0x07]), Buffer.from('Service'), Buffer.from([0x12, 0x00])]);
    const response = await fetch(`${test.cluster.url}/api/v1/namespaces/default/services`, { method: 'POST', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: envelope });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', message: expect.stringContaining('v1/Service') });
  });

  it('resolves short names of core and Istio resources', async () => {
    await test.custom.createNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web' }, spec: { hosts: ['web'] } } });
    expect(await kubectl(test, ['get', 'vs'])).toMatch(/web\s+\[\]\s+\["web"\]/);
    expect(await kubectl(test, ['get', 'ns', 'default', '-o', 'name'])).toBe('namespace/default\n');
  });
});
