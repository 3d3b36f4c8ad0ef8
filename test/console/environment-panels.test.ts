import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, consoleBuilt, launchBrowser, screenshot, seriousAxeViolations, startDroppableProxy, type Browser } from '../support/browser.ts';
import { aProject, anApp, anEnvironment } from '../support/fixtures.ts';
import { monitoringAvailable, WITH_MONITORING } from '../support/monitoring.ts';
import { aSucceededRelease, atGate, createRelease, FAST_RELEASES } from '../support/releases.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';
import { signInAt } from './sign-in.ts';

/**
 * The environment's panels (logs, metrics, config, cron jobs, alerts, VM hosts) in a real Chromium
 * against a real Gantry with the embedded cluster, and a real Prometheus where it is installed
 * (the metrics step is skipped with a notice without it, and fails in CI). The environment serves
 * r1 and holds a canary r2 (an image failing a fifth of its requests) at 50%.
 */
const run = chromiumAvailable();
const withPrometheus = run && monitoringAvailable('the console metrics panel');
const WAIT = { timeout: 45_000 };
const SECRET = 'sekret-Value-7f3a9c';

describe.skipIf(!run)('the environment panels of the web console in Chromium', { timeout: 180_000 }, () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;
  let envPath = '';
  let envId = '';
  let canaryId = '';
  let proxy: Awaited<ReturnType<typeof startDroppableProxy>>;

  beforeAll(async () => {
    await consoleBuilt();
    const servers = withPrometheus ? WITH_MONITORING : FAST_RELEASES;
    t = await startTestServer({ env: { ...servers.env, GANTRY_LOG_FLUSH_MS: '50' }, start: servers.start });
    const project = await aProject(t);
    const app = await anApp(t, project.id, 'shop');
    const env = await anEnvironment(t, app.id, { name: 'prod', replicas: 2 });
    await aSucceededRelease(t, { id: env.id, namespace: env.namespace, app: 'shop', router: 'ISTIO', projectId: project.id }, { image: 'registry.local/shop:1.0' });
    const canary = await createRelease(t, {
      environmentId: env.id, image: 'registry.local/shop:2.0-errors', strategy: 'CANARY', canaryReplicas: 1, steps: [{ weight: 50, untilPromoted: true }, { weight: 100 }],
    });
    await atGate(t, canary.id, 0);
    canaryId = canary.id;
    proxy = await startDroppableProxy(t.server.port);
    envPath = `/p/${project.slug}/a/shop/e/prod`;
    envId = env.id;
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await t?.close();
  });

  const lines = () => page.getByRole('log', { name: 'Log lines' }).locator('li');
  const panel = async (name: string) => {
    await page.getByRole('navigation', { name: 'Environment panels' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 2, name: new RegExp(`^${name}`) }).waitFor(WAIT);
  };

  it('should open the logs panel from its deep link and show a live line of the environment', async () => {
    await signInAt(page, `${proxy.url}${envPath}/logs`, ADMIN_TOKEN);
    await page.getByRole('heading', { level: 2, name: 'Logs' }).waitFor(WAIT);
    await page.locator('li[data-live]').first().waitFor(WAIT);
    expect(await page.locator('li[data-live]').first().textContent()).toMatch(/handled request id=\w+/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'environment-logs');
  });

  it('should filter the lines by text, stored and live, and by the canary track', async () => {
    const message = (await page.locator('li[data-live] .message').first().textContent())!;
    const requestId = /id=(\w+)/.exec(message)![1]!;
    await page.getByLabel('Contains').fill(`id=${requestId}`);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // That request's lines only: its access line, and an error or slow-request line if it had one.
    await expect.poll(async () => {
      const texts = await lines().allTextContents();
      return texts.length > 0 && texts.length < 5 && texts.every((text) => text.includes(`id=${requestId}`));
    }, WAIT).toBe(true);
    expect((await lines().allTextContents()).filter((text) => text.includes(`handled request id=${requestId}`))).toHaveLength(1);

    await page.getByLabel('Contains').fill('');
    await page.getByLabel('Track').selectOption({ label: 'r2 (canary)' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(async () => (await lines().locator('.version').allTextContents()).length, WAIT).toBeGreaterThan(3);
    expect(new Set((await lines().locator('.version').allTextContents()).map((v) => v.trim()))).toEqual(new Set(['r2']));
  });

  it('should resume the log tail after a network drop from its last line, with no line missed or repeated', async () => {
    const shown = () => lines().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cursor')!));
    const before = (await shown()).length;
    const dropped = proxy.drop(2_000);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor(WAIT);
    await dropped;
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ state: 'detached', ...WAIT });
    // Lines written during the drop arrive once the tail resumed, then new ones.
    await expect.poll(async () => (await shown()).length, WAIT).toBeGreaterThan(before + 20);
    const cursors = await shown();
    expect(new Set(cursors).size).toBe(cursors.length);

    // The same lines, in the same order, as the API stores them (newest first, paged back to the oldest shown).
    const stored: string[] = [];
    let after: string | null = null;
    while (!stored.includes(cursors[0]!)) {
      const data: any = await t.ok(`query($id: ID!, $f: LogFilter, $after: String) { node(id: $id) { ... on Environment { logs(filter: $f, first: 100, after: $after) { pageInfo { endCursor } nodes { cursor } } } } }`, {
        id: envId, f: { releaseId: canaryId }, after,
      });
      stored.push(...data.node.logs.nodes.map((n: { cursor: string }) => n.cursor));
      after = data.node.logs.pageInfo.endCursor;
      if (!after) break;
    }
    const oldestFirst = stored.reverse();
    const from = oldestFirst.indexOf(cursors[0]!);
    expect(oldestFirst.slice(from, from + cursors.length)).toEqual(cursors);
  });

  it.skipIf(!withPrometheus)('should chart the metrics of the stable and the canary version side by side', async () => {
    await panel('Metrics');
    const requests = page.locator('figure[data-metric="REQUESTS_PER_SECOND"]');
    const latest = (role: string) => requests.locator(`tr[data-role="${role}"] [data-testid="latest-value"]`);
    // Prometheus needs a few scrapes of both versions; the panel reads the window again every 10 s.
    await expect
      .poll(async () => {
        if ((await latest('canary').count()) === 0) await page.getByRole('button', { name: 'Refresh' }).click();
        return [await latest('stable').textContent().catch(() => '–'), await latest('canary').textContent().catch(() => '–')];
      }, { timeout: 90_000, interval: 2_000 })
      .toEqual([expect.stringMatching(/^\d/), expect.stringMatching(/^\d/)]);
    expect(await requests.locator('.chart').getAttribute('data-series')).toBe('r1,r2');
    expect(await requests.locator('canvas').count()).toBeGreaterThan(0);
    const errors = page.locator('figure[data-metric="ERROR_RATIO"]');
    expect(await errors.locator('tr[data-role="stable"]').textContent()).toContain('r1');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'environment-metrics');
  });

  it('should save a config revision, refuse to overwrite one saved meanwhile, and never show a secret back', async () => {
    await panel('Configuration');
    expect(await page.getByTestId('config-revision').textContent()).toBe('revision 1');
    await page.getByLabel('Variables (one NAME=value a line)').fill('GREETING=hello\nMODE="two\\nlines"');
    await page.getByLabel('Why (recorded with the revision)').fill('greet');
    await page.getByRole('button', { name: 'Save revision 2' }).click();
    await expect.poll(() => page.getByTestId('config-revision').textContent(), WAIT).toBe('revision 2');
    const { node } = await t.ok(`query($p: String!) { project(slug: $p) { app(name: "shop") { environment(name: "prod") { config { variables { name value } message } } } } }`, {
      p: envPath.split('/')[2],
    }).then((d) => ({ node: d.project.app.environment }));
    expect(node.config).toEqual({ variables: [{ name: 'GREETING', value: 'hello' }, { name: 'MODE', value: 'two\nlines' }], message: 'greet' });

    // Someone else saves while this editor holds changes: the save is refused, nothing is overwritten.
    await page.getByLabel('Variables (one NAME=value a line)').fill('GREETING=bonjour');
    await t.ok(`mutation($i: UpdateConfigInput!) { updateConfig(input: $i) { number } }`, { i: { environmentId: envId, set: [{ name: 'OTHER', value: '1' }] } });
    await page.getByRole('status').filter({ hasText: 'Revision 3 was saved since you began' }).waitFor(WAIT);
    expect(await page.getByLabel('Variables (one NAME=value a line)').inputValue()).toBe('GREETING=bonjour');
    await page.getByRole('button', { name: 'Save revision 3' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toContain('Someone saved a newer revision first');
    await page.getByRole('button', { name: 'Start over from revision 3' }).click();
    await expect.poll(() => page.getByLabel('Variables (one NAME=value a line)').inputValue(), WAIT).toContain('OTHER=1');

    await page.getByLabel('Secret name').fill('DB_PASSWORD');
    await page.getByLabel('Secret value').fill(SECRET);
    await page.getByRole('button', { name: 'Set secret' }).click();
    await expect.poll(() => page.getByTestId('config-revision').textContent(), WAIT).toBe('revision 4');
    await page.locator('tr[data-secret="DB_PASSWORD"]').first().waitFor(WAIT);
    const inputs = () => page.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(await page.getByLabel('Secret value').inputValue()).toBe('');
    expect((await inputs()).some((v) => v.includes(SECRET))).toBe(false);
    expect(await page.content()).not.toContain(SECRET);
    // A secret's revision changes no variable or file: the editor goes on from it, with no warning.
    expect(await page.getByRole('button', { name: 'Save revision 5' }).count()).toBe(1);
    expect(await page.getByText('was saved since you began').count()).toBe(0);
    await page.reload();
    await page.locator('tr[data-secret="DB_PASSWORD"]').first().waitFor(WAIT);
    expect(await page.content()).not.toContain(SECRET);
    expect((await inputs()).some((v) => v.includes(SECRET))).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'environment-config');
  });

  it('should create a cron job, run it now, and list the run with its output', async () => {
    await panel('Cron jobs');
    await page.getByLabel('Job name').fill('report');
    await page.getByLabel('Schedule').fill('0 0 1 1 *');
    await page.getByLabel('Command (words separated by spaces)').fill('report --daily');
    await page.getByRole('button', { name: 'Create cron job' }).click();
    await page.getByRole('button', { name: 'Run report now' }).click();
    const run = page.locator('article[data-cron-job="report"] tr[data-run]').first();
    await expect.poll(() => run.locator('.status').textContent(), WAIT).toBe('succeeded');
    expect(await run.textContent()).toContain('run now');
    await run.getByRole('button', { name: 'Show output' }).click();
    await expect.poll(() => page.getByRole('log', { name: 'Output of the run' }).textContent(), WAIT).toContain('work finished');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'environment-cron');
  });

  it('should subscribe the environment to an alert template with its parameters, and unsubscribe', async () => {
    await panel('Alerts');
    await page.getByLabel('Template').selectOption({ label: 'Pod restarts (warning)' });
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('tr[data-subscription="Pod restarts"]').waitFor(WAIT);
    const { project } = await t.ok(`query($p: String!) { project(slug: $p) { app(name: "shop") { environment(name: "prod") { alertSubscriptions { template { name } createdBy { login } } } } } }`, { p: envPath.split('/')[2] });
    expect(project.app.environment.alertSubscriptions).toEqual([{ template: { name: 'Pod restarts' }, createdBy: { login: 'admin' } }]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'environment-alerts');
    await page.getByRole('button', { name: 'Unsubscribe from Pod restarts' }).click();
    await page.locator('tr[data-subscription="Pod restarts"]').waitFor({ state: 'detached', ...WAIT });
  });

  it.skipIf(!withPrometheus)('should show an alert firing live once its rule holds (the canary answers 5xx)', async () => {
    const expression = 'sum(rate(istio_requests_total{cluster="${cluster}",destination_workload_namespace="${namespace}",destination_canonical_service="${app}",response_code=~"5.."}[${window}])) > 0';
    await t.ok(`mutation($i: CreateAlertTemplateInput!) { createAlertTemplate(input: $i) { id } }`, {
      i: { name: 'Any 5xx now', expression, forSeconds: 0, severity: 'WARNING', parameters: [{ name: 'window', type: 'DURATION', default: '4s' }] },
    });
    // The template is new: the panel reads the templates again when the page loads.
    await page.reload();
    await page.getByRole('heading', { level: 2, name: /^Alerts/ }).waitFor(WAIT);
    await page.getByLabel('Template').selectOption({ label: 'Any 5xx now (warning)' });
    expect(await page.getByLabel(/^window/).inputValue()).toBe('4s');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('tr[data-subscription="Any 5xx now"]').waitFor(WAIT);
    // No reload: the row comes from alertEvents.
    await page.locator('tr[data-status="FIRING"]').first().waitFor({ timeout: 90_000 });
    expect(await page.locator('tr[data-status="FIRING"]').first().textContent()).toContain('Any 5xx now');
    await expect.poll(() => page.getByRole('heading', { level: 2, name: /^Alerts/ }).textContent(), WAIT).toMatch(/\d+ firing/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'environment-alerts-firing');
  });

  it('should show the VM hosts panel (none here: all traffic in the cluster) without accessibility violations', async () => {
    await panel('VM hosts');
    await page.getByText('No VM hosts').waitFor(WAIT);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('should load the panels without any Content-Security-Policy violation', () => {
    expect(browser.cspViolations).toEqual([]);
  });
});
