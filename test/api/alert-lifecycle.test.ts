import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringAvailable, WITH_MONITORING, startWebhookReceiver, type WebhookReceiver } from '../support/monitoring.ts';
import { aReleaseEnvironment, aSucceededRelease, command, createRelease, poll, type ReleaseEnv } from '../support/releases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SUBSCRIBE = `mutation($i: SubscribeToAlertInput!) { subscribeToAlert(input: $i) { id } }`;
const UNSUBSCRIBE = `mutation($id: ID!) { unsubscribeFromAlert(id: $id) }`;
const CREATE_TEMPLATE = `mutation($i: CreateAlertTemplateInput!) { createAlertTemplate(input: $i) { id } }`;
/** Fires while the environment's pods answer any 5xx (the `errors` canary does). */
const ANY_5XX = 'sum(rate(istio_requests_total{cluster="${cluster}",destination_workload_namespace="${namespace}",destination_canonical_service="${app}",response_code=~"5.."}[${window}])) > 0';
/** Fires while the environment has traffic (the simulated 20 requests per second). */
const TRAFFIC = 'sum(rate(istio_requests_total{cluster="${cluster}",destination_workload_namespace="${namespace}",destination_canonical_service="${app}"}[${window}])) > ${threshold}';

describe.runIf(monitoringAvailable('alert lifecycle'))('alert subscriptions over their life: resolution, unsubscribing, a rejected rule file', () => {
  let t: TestServer;
  let env: ReleaseEnv;
  let hook: WebhookReceiver;
  let hookUrl: string;
  const errors: { msg: string; problem?: string }[] = [];

  beforeAll(async () => {
    // The server's own logger, with its error lines kept for the test (and written out as usual).
    const logger = pino({ level: 'info' }, { write: (line: string) => void (JSON.parse(line).level >= 50 && errors.push(JSON.parse(line))) });
    t = await startTestServer({ ...WITH_MONITORING, start: { ...WITH_MONITORING.start, logger } });
    hook = await startWebhookReceiver();
    hookUrl = hook.url;
    env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1 });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    hook?.close();
  });

  const template = async (name: string, expression: string, parameters: unknown[]) =>
    (await t.ok(CREATE_TEMPLATE, { i: { name, expression, forSeconds: 0, severity: 'WARNING', parameters } })).createAlertTemplate.id as string;
  /** The alerting rules Prometheus evaluates now, by name. */
  const loadedRules = async (): Promise<{ name: string; health: string }[]> => {
    const url = t.server.monitoring.prometheus().url;
    const body = (await (await fetch(`${url}/api/v1/rules?type=alert`)).json()) as any;
    return body.data.groups.flatMap((g: any) => g.rules.map((r: any) => ({ name: r.name, health: r.health })));
  };
  const ruleName = (subscriptionGlobalId: string) => {
    const id = Buffer.from(subscriptionGlobalId, 'base64').toString('utf8').split(':')[1]!;
    return `gantry_${id.replace(/-/g, '')}`;
  };

  it('should publish RESOLVED on alertEvents and post it to the webhook once the condition is over', async () => {
    const templateId = await template('Any 5xx now', ANY_5XX, [{ name: 'window', type: 'DURATION', default: '4s' }]);
    const { subscribeToAlert: sub } = await t.ok(SUBSCRIBE, { i: { templateId, environmentId: env.id, webhookUrl: hookUrl } });
    const frames: any[] = [];
    const stop = t.ws().subscribe(
      { query: `subscription($p: ID!) { alertEvents(projectId: $p) { id status startsAt endsAt subscription { id } } }`, variables: { p: env.projectId } },
      { next: (v) => frames.push(v.data?.alertEvents), error: () => undefined, complete: () => undefined },
    );
    const canary = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0-errors', strategy: 'CANARY', canaryReplicas: 1, steps: [{ weight: 50, untilPromoted: true }, { weight: 100 }] });
    const firing = await poll(() => frames.find((f) => f?.status === 'FIRING' && f.subscription.id === sub.id), 'a FIRING frame', 60_000, 200);
    expect(firing.endsAt).toBeNull();
    // The errors end with the canary: the rule turns false and Prometheus resolves the alert.
    await command(t, 'abortRelease', { id: canary.id, reason: 'test' });
    const resolved = await poll(() => frames.find((f) => f?.status === 'RESOLVED' && f.id === firing.id), 'a RESOLVED frame of the same alert', 60_000, 200);
    expect(new Date(resolved.endsAt).getTime()).toBeGreaterThan(new Date(firing.startsAt).getTime());
    const post = await poll(() => hook.posts.find((p) => p.status === 'RESOLVED'), 'the webhook post of the resolution', 20_000, 200);
    expect(post.endsAt).toBeTruthy();
    stop();
    const stored = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { alerts { nodes { id status endsAt } } } } }`, { id: env.id });
    expect(stored.node.alerts.nodes.find((a: any) => a.id === firing.id)).toMatchObject({ status: 'RESOLVED' });
  }, 150_000);

  it('should take an unsubscribed alert out of the rule file and out of Prometheus', async () => {
    const templateId = await template('Traffic above', TRAFFIC, [{ name: 'threshold', default: '1000' }, { name: 'window', type: 'DURATION', default: '5s' }]);
    const { subscribeToAlert: sub } = await t.ok(SUBSCRIBE, { i: { templateId, environmentId: env.id } });
    const name = ruleName(sub.id);
    await poll(async () => (await loadedRules()).some((r) => r.name === name), 'the rule loaded by Prometheus', 20_000, 200);
    expect(await t.ok(UNSUBSCRIBE, { id: sub.id })).toEqual({ unsubscribeFromAlert: true });
    expect(readFileSync(`${t.server.monitoring.rulesDir}/gantry.rules.yml`, 'utf8')).not.toContain(name);
    await poll(async () => !(await loadedRules()).some((r) => r.name === name), 'the rule gone from Prometheus', 20_000, 200);
    const listed = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { alertSubscriptions { id } } } }`, { id: env.id });
    expect(listed.node.alertSubscriptions.map((s: any) => s.id)).not.toContain(sub.id);
    const again = await t.gql(UNSUBSCRIBE, { id: sub.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  }, 60_000);

  it('should keep a rule file that promtool rejects out: the previous rules stay in force and the error is logged clearly', async () => {
    const good = await template('Traffic above kept', TRAFFIC, [{ name: 'threshold', default: '1000' }, { name: 'window', type: 'DURATION', default: '5s' }]);
    const { subscribeToAlert: kept } = await t.ok(SUBSCRIBE, { i: { templateId: good, environmentId: env.id } });
    await poll(async () => (await loadedRules()).some((r) => r.name === ruleName(kept.id)), 'the good rule loaded', 20_000, 200);
    const file = `${t.server.monitoring.rulesDir}/gantry.rules.yml`;
    const before = readFileSync(file, 'utf8');
    // A template broken behind the API's back (its check passed when it was created): its next rendering is invalid PromQL.
    const broken = await template('Broken later', TRAFFIC, [{ name: 'threshold', default: '1' }, { name: 'window', type: 'DURATION', default: '5s' }]);
    const brokenUuid = Buffer.from(broken, 'base64').toString('utf8').split(':')[1]!;
    const invalid = 'sum(rate(up[${window}])';
    await t.server.database.db.execute(sql`update alert_templates set expression = ${invalid} where id = ${brokenUuid}::uuid`);
    const errorsBefore = errors.length;
    const res = await t.gql(SUBSCRIBE, { i: { templateId: broken, environmentId: env.id } });
    expect(res.errors).toBeUndefined(); // the subscription is stored; its rule waits for a file that passes
    await poll(() => errors.slice(errorsBefore).find((e) => e.msg === 'rendered alert rules failed promtool check rules; the previous rule file stays'), 'the logged rejection', 20_000, 100);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(`${file}.candidate`)).toBe(false);
    const rules = await loadedRules();
    expect(rules.find((r) => r.name === ruleName(kept.id))?.health).not.toBe('err');
    expect(rules.some((r) => r.name === ruleName(res.data!.subscribeToAlert.id))).toBe(false);
  }, 60_000);
});
