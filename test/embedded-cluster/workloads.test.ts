import { Watch } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { aClusterPerTest, eventually, statusField, statusOf, type Loose, type TestCluster } from './helpers.ts';

let test: TestCluster;
aClusterPerTest((started) => (test = started));

const status = statusField;
const podNamed = (name: string) => test.cluster.store.get('pods', 'default', name);

function aPod(name: string, image: string, containers = [{ name: 'app', image }]) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { containers } };
}

function aJob(name: string, image: string, extra: Loose = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...extra, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'task', image }] } } },
  };
}

describe('pod lifecycle', () => {
  it('schedules a pod to an embedded node, runs its containers and marks it ready', async () => {
    await test.core.createNamespacedPod({ namespace: 'default', body: aPod('single', 'registry.local/app:1') });
    const pod = await eventually(() => (status(podNamed('single'))['conditions'] as Loose[] | undefined)?.some((c) => c['type'] === 'Ready' && c['status'] === 'True') && podNamed('single'), 5000, 'ready');
    expect((pod['spec'] as Loose)['nodeName']).toMatch(/^embedded-node-[123]$/);
    expect(status(pod)).toMatchObject({ phase: 'Running', podIP: expect.stringMatching(/^10\.244\./), containerStatuses: [{ name: 'app', ready: true, started: true, state: { running: { startedAt: expect.any(String) } } }] });
  });

  it('keeps a pod whose image tag contains "unready" running but never ready', async () => {
    await test.core.createNamespacedPod({ namespace: 'default', body: aPod('lazy', 'registry.local/app:1-unready') });
    await eventually(() => status(podNamed('lazy'))['phase'] === 'Running', 5000, 'running');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const current = status(podNamed('lazy'));
    expect(current['containerStatuses'][0]).toMatchObject({ ready: false, state: { running: {} } });
    expect((current['conditions'] as Loose[]).find((c) => c['type'] === 'Ready')?.['status']).toBe('False');
  });

  it('restarts a "crashloop" container with back-off, growing restartCount, CrashLoopBackOff and a BackOff event', async () => {
    await test.core.createNamespacedPod({ namespace: 'default', body: aPod('crash', 'registry.local/app:1-crashloop') });
    const container = await eventually(() => {
      const current = status(podNamed('crash'))['containerStatuses']?.[0] as Loose | undefined;
      return current && current['restartCount'] >= 2 && current['state']['waiting'] ? current : undefined;
    }, 10_000, 'two restarts');
    expect(container['state']['waiting']['reason']).toBe('CrashLoopBackOff');
    expect(container['lastState']['terminated']).toMatchObject({ exitCode: 1, reason: 'Error' });
    const backOff = test.cluster.store.list('events').find((event) => event['reason'] === 'BackOff');
    expect(backOff).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Pod', name: 'crash' } });
    const previous = await test.core.readNamespacedPodLog({ name: 'crash', namespace: 'default', previous: true });
    expect(previous).toContain('exiting with code 1');
  });

  it('deletes a running pod gracefully: watchers see MODIFIED with a deletionTimestamp, then DELETED', async () => {
    await test.core.createNamespacedPod({ namespace: 'default', body: aPod('leaving', 'registry.local/app:1') });
    await eventually(() => status(podNamed('leaving'))['phase'] === 'Running', 5000, 'running');
    const seen: string[] = [];
    const controller = await new Watch(test.kubeConfig).watch(
      '/api/v1/namespaces/default/pods',
      { resourceVersion: String(test.cluster.store.currentResourceVersion), fieldSelector: 'metadata.name=leaving' },
      (type, object) => seen.push(`${type}${object.metadata?.deletionTimestamp ? ' deleting' : ''}`),
      () => undefined,
    );
    const response = await test.core.deleteNamespacedPod({ name: 'leaving', namespace: 'default' });
    expect(response.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await eventually(() => seen.includes('DELETED deleting'), 5000, 'deletion');
    expect(seen.slice(seen.indexOf('MODIFIED deleting'))).toEqual(['MODIFIED deleting', 'DELETED deleting']);
    controller.abort();
  });
});

describe('container logs', () => {
  it('serves timestamped log lines with tailLines and the timestamps prefix', async () => {
    await test.core.createNamespacedPod({ namespace: 'default', body: aPod('chatty', 'registry.local/chatty:1') });
    await eventually(() => test.cluster.logs.read(podNamed('chatty')?.metadata.uid ?? '', 'app').length >= 5, 5000, 'log lines');
    const tail = await test.core.readNamespacedPodLog({ name: 'chatty', namespace: 'default', tailLines: 2 });
    const lines = tail.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO chatty handled request id=[0-9a-f]+ /);
    const stamped = await test.core.readNamespacedPodLog({ name: 'chatty', namespace: 'default', tailLines: 1, timestamps: true });
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+\.\d{9}Z \d{4}-/);
    const recent = await test.core.readNamespacedPodLog({ name: 'chatty', namespace: 'default', sinceSeconds: 3600 });
    expect(recent.split('\n').length).toBeGreaterThanOrEqual(5);
  });

  it('requires a container name for pods with several containers', async () => {
    const containers = [{ name: 'app', image: 'registry.local/app:1' }, { name: 'proxy', image: 'registry.local/proxy:1' }];
    await test.core.createNamespacedPod({ namespace: 'default', body: aPod('duo', '', containers) });
    await eventually(() => status(podNamed('duo'))['phase'] === 'Running', 5000, 'running');
    const rejected = await statusOf(test.core.readNamespacedPodLog({ name: 'duo', namespace: 'default' }));
    expect(rejected).toMatchObject({ code: 400, message: 'a container name must be specified for pod duo, choose one of: [app proxy]' });
    expect(await test.core.readNamespacedPodLog({ name: 'duo', namespace: 'default', container: 'proxy' })).toContain('starting image=registry.local/proxy:1');
  });
});

describe('jobs and cronjobs', () => {
  it('runs a Job pod to Succeeded and marks the Job Complete', async () => {
    await test.batch.createNamespacedJob({ namespace: 'default', body: aJob('once', 'registry.local/task:1') });
    const job = await eventually(() => {
      const current = test.cluster.store.get('jobs', 'default', 'once');
      return (status(current)['conditions'] as Loose[] | undefined)?.some((c) => c['type'] === 'Complete') ? current : undefined;
    }, 10_000, 'completion');
    expect(status(job)).toMatchObject({ succeeded: 1, active: 0, completionTime: expect.any(String) });
    const [pod] = test.cluster.store.list('pods', { labelSelector: 'job-name=once' });
    expect(status(pod)['phase']).toBe('Succeeded');
    expect(test.cluster.store.list('events').some((event) => event['reason'] === 'Completed')).toBe(true);
  });

  it('fails a Job whose image tag contains "fail" once backoffLimit is exceeded', async () => {
    await test.batch.createNamespacedJob({ namespace: 'default', body: aJob('doomed', 'registry.local/task:1-fail', { backoffLimit: 1 }) });
    const job = await eventually(() => {
      const current = test.cluster.store.get('jobs', 'default', 'doomed');
      return (status(current)['conditions'] as Loose[] | undefined)?.some((c) => c['type'] === 'Failed') ? current : undefined;
    }, 10_000, 'failure');
    expect((status(job)['conditions'] as Loose[]).find((c) => c['type'] === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect(status(job)['failed']).toBe(2);
  });

  it('creates Jobs from a CronJob on its schedule, on the simulated clock', async () => {
    await test.batch.createNamespacedCronJob({
      namespace: 'default',
      body: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'minutely' }, spec: { schedule: '* * * * *', jobTemplate: aJob('x', 'registry.local/task:1') } },
    });
    const job = await eventually(() => test.cluster.store.list('jobs')[0], 5000, 'a scheduled job');
    expect(job.metadata.name).toMatch(/^minutely-\d+$/);
    expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'minutely' });
    await eventually(() => status(test.cluster.store.get('cronjobs', 'default', 'minutely'))['lastScheduleTime'], 5000, 'lastScheduleTime');
  });

  it('rejects a CronJob with an unparsable schedule with 422', async () => {
    const rejected = await statusOf(
      test.batch.createNamespacedCronJob({ namespace: 'default', body: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'bad' }, spec: { schedule: 'every day', jobTemplate: aJob('x', 'i:1') } } }),
    );
    expect(rejected).toMatchObject({ code: 422, details: { causes: [{ field: 'spec.schedule' }] } });
  });
});
