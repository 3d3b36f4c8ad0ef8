import { readFileSync } from 'node:fs';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts as alertsTable } from '../../db/schema/index.ts';
import { aUser } from '../support/fixtures.ts';
import { monitoringAvailable, WITH_MONITORING, startWebhookReceiver, type WebhookReceiver } from '../support/monitoring.ts';
import { aReleaseEnvironment, aSucceededRelease, createRelease, poll, releaseUntil, type ReleaseEnv } from '../support/releases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SUBSCRIBE = `mutation($i: SubscribeToAlertInput!) { subscribeToAlert(input: $i) { id parameters abortsReleases webhookUrl template { name } } }`;
const CREATE_TEMPLATE = `mutation($i: CreateAlertTemplateInput!) { createAlertTemplate(input: $i) { id name forSeconds parameters { name type default } } }`;

describe.runIf(monitoringAvailable('alerts'))('alerts on a real Prometheus and Alertmanager', () => {
  let t: TestServer;
  let env: ReleaseEnv;
  let hook: WebhookReceiver;
  let hookUrl: string;

  beforeAll(async () => {
    t = await startTestServer(WITH_MONITORING);
    // The subscription's webhook: fails the first post (a retry must follow).
    hook = await startWebhookReceiver(1);
    hookUrl = hook.url;
    env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 1 });
    await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    hook?.close();
  });

  it('should list the built-in templates', async () => {
    const { alertTemplates } = await t.ok(`{ alertTemplates { name builtIn parameters { name type } } }`);
    expect(alertTemplates.filter((x: any) => x.builtIn).map((x: any) => x.name).sort()).toEqual(['High error ratio', 'High p99 latency', 'Memory near limit', 'No traffic', 'Pod restarts']);
  });

  it('should fire on a bad canary, stream it on alertEvents, abort the release with its summary, and post it to the webhook after a retry', async () => {
    const { createAlertTemplate: template } = await t.ok(CREATE_TEMPLATE, {
      i: {
        name: 'Any 5xx',
        expression: 'sum(rate(istio_requests_total{cluster="${cluster}",destination_workload_namespace="${namespace}",destination_canonical_service="${app}",response_code=~"5.."}[${window}])) > ${threshold}',
        forSeconds: 0,
        severity: 'CRITICAL',
        parameters: [{ name: 'threshold', default: '0' }, { name: 'window', type: 'DURATION', default: '5s' }],
      },
    });
    const { subscribeToAlert: sub } = await t.ok(SUBSCRIBE, { i: { templateId: template.id, environmentId: env.id, parameters: { threshold: 0.1 }, webhookUrl: hookUrl, abortsReleases: true } });
    expect(sub.parameters).toEqual({ threshold: '0.1', window: '5s' });
    const rules = readFileSync(t.server.monitoring.rulesDir + '/gantry.rules.yml', 'utf8');
    expect(rules).toContain('> 0.1');

    const client = t.ws();
    const frames: any[] = [];
    const stop = client.subscribe(
      { query: `subscription($p: ID!) { alertEvents(projectId: $p) { id status summary startsAt subscription { id } } }`, variables: { p: env.projectId } },
      { next: (v) => frames.push(v), error: () => undefined, complete: () => undefined },
    );
    const canary = await createRelease(t, { environmentId: env.id, image: 'registry.local/shop:2.0-errors', strategy: 'CANARY', canaryReplicas: 1, steps: [{ weight: 50, untilPromoted: true }, { weight: 100 }] });
    const aborted = await releaseUntil(t, canary.id, (r) => r.status === 'ABORTED', 'the release aborted by the alert', 60_000);
    expect(aborted.statusMessage).toContain('Any 5xx on shop prod');
    const frame = await poll(() => frames.find((f) => f.data?.alertEvents?.status === 'FIRING'), 'a FIRING frame', 10_000);
    expect(frame.data.alertEvents.subscription.id).toBe(sub.id);
    const posted = await poll(() => hook.posts.find((p) => p.status === 'FIRING'), 'the webhook post after one failure', 20_000);
    expect(posted.summary).toContain('Any 5xx');
    expect(hook.failuresLeft).toBeLessThan(0);
    stop();
    const stored = await t.ok(`query($id: ID!) { node(id: $id) { ... on Environment { alerts { totalCount nodes { status summary } } alertSubscriptions { id } } } }`, { id: env.id });
    expect(stored.node.alerts.nodes[0].status).toBe('FIRING');
    expect(stored.node.alertSubscriptions.map((s: any) => s.id)).toEqual([sub.id]);
  }, 90_000);

  it('should answer 401 to a delivery without the secret and record nothing; a replay with it changes nothing', async () => {
    const url = t.url.replace('/graphql', '/hooks/alertmanager');
    const [before] = await t.server.database.db.select({ n: count() }).from(alertsTable);
    const body = JSON.stringify({ version: '4', alerts: [{ status: 'firing', labels: { gantry_subscription: '00000000-0000-0000-0000-000000000000' }, annotations: {}, startsAt: new Date().toISOString(), fingerprint: 'abc123' }] });
    for (const authorization of [undefined, 'Bearer wrong-secret-0123456789']) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
      expect(res.status).toBe(401);
    }
    const [after] = await t.server.database.db.select({ n: count() }).from(alertsTable);
    expect(after!.n).toBe(before!.n);
    const replay = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.server.monitoring.webhookSecret}` }, body });
    expect(await replay.json()).toEqual({ received: 1, changed: 0 });
  });

  it('should refuse templates from non-admins, undeclared placeholders, invalid PromQL and parameters that are not their type', async () => {
    const user = await aUser(t);
    const base = { name: 'T1', expression: 'up > ${x}', severity: 'INFO', parameters: [{ name: 'x', default: '1' }] };
    expect((await t.gql(CREATE_TEMPLATE, { i: base }, user.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const undeclared = await t.gql(CREATE_TEMPLATE, { i: { ...base, expression: 'up > ${y}' } });
    expect(undeclared.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.expression' });
    const invalid = await t.gql(CREATE_TEMPLATE, { i: { ...base, expression: 'sum(up > ${x}' } });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.expression' });
    const { alertTemplates } = await t.ok(`{ alertTemplates { id name } }`);
    const errorRatio = alertTemplates.find((x: any) => x.name === 'High error ratio').id;
    for (const threshold of ['0.1} or vector(1) #', '1 or up', 'NaN']) {
      const res = await t.gql(SUBSCRIBE, { i: { templateId: errorRatio, environmentId: env.id, parameters: { threshold } } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.parameters.threshold' });
      expect(JSON.stringify(res.errors)).not.toContain(threshold);
    }
    const viewer = await aUser(t);
    await t.ok(`mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }`, { i: { projectId: env.projectId, login: viewer.login, role: 'VIEWER' } });
    expect((await t.gql(SUBSCRIBE, { i: { templateId: errorRatio, environmentId: env.id } }, viewer.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
