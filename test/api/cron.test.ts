import { describe, it } from 'vitest';
import { kubectl } from '../support/cluster.ts';
import { aReleaseEnvironment, aSucceededRelease, errorOf, poll, withReleaseServer, type ReleaseEnv } from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

const JOB = 'id name schedule timeZone command image suspended concurrencyPolicy nextRunAt lastScheduleAt';
const CREATE = `mutation($i: CreateCronJobInput!) { createCronJob(input: $i) { ${JOB} } }`;
const RUNS = `query($id: ID!) { node(id: $id) { ... on CronJob { runs(first: 20) { totalCount nodes { id status manual startedAt finishedAt log(first: 100) { totalCount nodes { source message } } } } } } }`;

async function cronJobObject(t: TestServer, env: ReleaseEnv, name: string): Promise<any> {
  const out = await kubectl(t, 'get', 'cronjob', name, '-n', env.namespace, '-o', 'json', '--ignore-not-found');
  return out.trim() ? JSON.parse(out) : null;
}

async function runsOf(t: TestServer, id: string): Promise<any[]> {
  return (await t.ok(RUNS, { id })).node.runs.nodes;
}

describe.concurrent('cron jobs', { timeout: 120_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  it.concurrent('should run a CronJob with the release image and config, and record its scheduled runs with their output', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'shop', { name: 'dev', replicas: 1 });
    await t.ok('mutation($i: UpdateConfigInput!) { updateConfig(input: $i) { number } }', { i: { environmentId: env.id, set: [{ name: 'MODE', value: 'batch' }] } });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
    const job = (await t.ok(CREATE, { i: { environmentId: env.id, name: 'report', schedule: '* * * * *', command: ['report', '--daily'] } })).createCronJob;
    expect(job).toMatchObject({ name: 'report', schedule: '* * * * *', timeZone: 'Etc/UTC', image: null, suspended: false, concurrencyPolicy: 'ALLOW' });
    expect(new Date(job.nextRunAt).getUTCSeconds()).toBe(0);
    const object = await cronJobObject(t, env, 'shop-report');
    const container = object.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container).toMatchObject({ image: 'registry.local/shop:1.0', command: ['report', '--daily'] });
    expect(container.env).toEqual([{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'shop-config-2', key: 'env.MODE' } } }]);
    expect(object.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'gantry', 'gantry.io/cron-job': 'report', 'gantry.io/config-revision': '2' });
    // A simulated minute is about a second here: the schedule fires on its own.
    const run = await poll(async () => (await runsOf(t, job.id)).find((r) => r.status === 'SUCCEEDED' && r.log.totalCount > 0), 'a scheduled run SUCCEEDED with its output', 60_000, 500);
    expect(run.manual).toBe(false);
    expect(run.finishedAt).not.toBeNull();
    expect(run.log.nodes.at(-1).message).toContain('work finished');
    expect(run.log.nodes[0].source).toMatch(/^shop-report-/);
    const lastSchedule = await poll(async () => (await t.ok(`query($id: ID!) { node(id: $id) { ... on CronJob { lastScheduleAt } } }`, { id: job.id })).node.lastScheduleAt, 'lastScheduleAt');
    expect(Number.isNaN(Date.parse(lastSchedule))).toBe(false);
  });

  it.concurrent('should start a manual run with triggerCronJob, and record a failing image as FAILED with its output', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'cart', { name: 'dev', replicas: 1 });
    const job = (await t.ok(CREATE, { i: { environmentId: env.id, name: 'purge', schedule: '0 0 1 1 *', command: ['purge'], image: 'registry.local/cart:fail', concurrencyPolicy: 'FORBID' } })).createCronJob;
    expect(job).toMatchObject({ image: 'registry.local/cart:fail', concurrencyPolicy: 'FORBID' });
    const started = (await t.ok(`mutation($id: ID!) { triggerCronJob(id: $id) { id status manual } }`, { id: job.id })).triggerCronJob;
    expect(started).toMatchObject({ status: 'RUNNING', manual: true });
    const run = await poll(async () => (await runsOf(t, job.id)).find((r) => r.id === started.id && r.status === 'FAILED' && r.log.totalCount > 0), 'the manual run FAILED', 60_000, 500);
    expect(run.log.nodes.map((l: any) => l.message).join('\n')).toContain('fatal error');
    const object = await cronJobObject(t, env, 'cart-purge');
    expect(object.spec).toMatchObject({ concurrencyPolicy: 'Forbid', schedule: '0 0 1 1 *', timeZone: 'Etc/UTC' });
  });

  it.concurrent('should move cron jobs without their own image to each new stable release, and delete a cron job with its Jobs', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'feed', { name: 'dev', replicas: 1 });
    await aSucceededRelease(t, env, { image: 'registry.local/feed:1.0' });
    const job = (await t.ok(CREATE, { i: { environmentId: env.id, name: 'sync', schedule: '0 0 1 1 *', command: ['sync'] } })).createCronJob;
    await t.ok(`mutation($id: ID!) { triggerCronJob(id: $id) { id } }`, { id: job.id });
    await aSucceededRelease(t, env, { image: 'registry.local/feed:2.0' });
    await poll(async () => (await cronJobObject(t, env, 'feed-sync'))?.spec.jobTemplate.spec.template.spec.containers[0].image === 'registry.local/feed:2.0', 'the CronJob runs the new image', 30_000, 300);
    const updated = (await t.ok(`mutation($i: UpdateCronJobInput!) { updateCronJob(input: $i) { suspended schedule nextRunAt } }`, { i: { id: job.id, suspended: true, schedule: '*/5 * * * *' } })).updateCronJob;
    expect(updated).toEqual({ suspended: true, schedule: '*/5 * * * *', nextRunAt: null });
    expect((await cronJobObject(t, env, 'feed-sync')).spec).toMatchObject({ suspend: true, schedule: '*/5 * * * *' });
    expect((await t.ok(`mutation($id: ID!) { deleteCronJob(id: $id) }`, { id: job.id })).deleteCronJob).toBe(true);
    await poll(async () => (await cronJobObject(t, env, 'feed-sync')) === null, 'the CronJob is gone');
    await poll(async () => (await kubectl(t, 'get', 'jobs', '-n', env.namespace, '-l', 'gantry.io/cron-job=sync', '-o', 'name')).trim() === '', 'its Jobs are gone');
    const envJobs = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { cronJobs { name } } } }`, { id: env.id });
    expect(envJobs.node.cronJobs).toEqual([]);
  });

  it.concurrent('should refuse bad schedules, time zones, names and commands naming the field, and read schedules in their time zone', async ({ expect }) => {
    const env = await aReleaseEnvironment(t, 'bill', { name: 'dev', replicas: 1 });
    const base = { environmentId: env.id, name: 'nightly', schedule: '0 9 * * *', command: ['run'], image: 'registry.local/bill:1.0' };
    const cases: [Record<string, unknown>, string][] = [
      [{ schedule: '61 * * * *' }, 'input.schedule'],
      [{ schedule: '* * * *' }, 'input.schedule'],
      [{ timeZone: 'Mars/Olympus' }, 'input.timeZone'],
      [{ name: 'Not_A_Label' }, 'input.name'],
      [{ command: [] }, 'input.command'],
      [{ image: 'registry.local/bill:bad tag' }, 'input.image'],
    ];
    for (const [change, field] of cases) expect(errorOf(await t.gql(CREATE, { i: { ...base, ...change } })), field).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const noImage = await t.gql(CREATE, { i: { ...base, image: null } });
    expect(errorOf(noImage)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.image' });
    const job = (await t.ok(CREATE, { i: { ...base, timeZone: 'Europe/Berlin' } })).createCronJob;
    const next = new Date(job.nextRunAt);
    // 09:00 in Berlin is 07:00 or 08:00 UTC, depending on daylight saving time.
    expect([7, 8]).toContain(next.getUTCHours());
    expect(next.getUTCMinutes()).toBe(0);
    expect(errorOf(await t.gql(CREATE, { i: { ...base, timeZone: 'Europe/Berlin' } })).code).toBe('CONFLICT');
  });
});
