import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable, consoleBuilt, eventLatencies, launchBrowser, percentile, recordEventLatencies, screenshot,
  seriousAxeViolations, startDroppableProxy, type Browser,
} from '../support/browser.ts';
import { addMember, aUser, unique } from '../support/fixtures.ts';
import { atGate, createRelease, errorOf, eventLog, tryCommand, FAST_RELEASES } from '../support/releases.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

/**
 * The web console in a real Chromium against a real Gantry with the embedded cluster (sped up),
 * through a TCP proxy the test can cut like a network drop. One story, step by step: each `it`
 * continues where the previous one left the page.
 */
const run = chromiumAvailable();
const WAIT = { timeout: 45_000 };

describe.skipIf(!run)('the web console in Chromium', { timeout: 180_000 }, () => {
  let t: TestServer;
  let browser: Browser;
  let proxy: Awaited<ReturnType<typeof startDroppableProxy>>;
  let page: Page;
  const slug = unique('shop');
  let envPath = '';
  /** Release event → DOM latencies of page loads that are gone (the page records its own). */
  const latencies: number[] = [];

  beforeAll(async () => {
    await consoleBuilt();
    t = await startTestServer(FAST_RELEASES);
    proxy = await startDroppableProxy(t.server.port);
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await t?.close();
  });

  const history = () => page.locator('section[aria-labelledby="history"] tbody tr');
  const applied = () => page.getByTestId('applied-weight');

  it('should sign in with a pasted token kept in the tab only, and show who is signed in', async () => {
    await page.goto(`${proxy.url}/`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('viewer').textContent(), WAIT).toContain('admin');
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    expect(await page.evaluate('[localStorage.length, document.cookie, sessionStorage.length]')).toEqual([0, '', 1]);
  });

  it('should create a project, an app and a protected environment through the forms', async () => {
    await page.getByLabel('Slug').fill(slug);
    await page.getByLabel('Name').fill('Shop');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(`**/p/${slug}`, WAIT);
    await page.getByLabel('App name').fill('checkout');
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.waitForURL(`**/p/${slug}/a/checkout`, WAIT);
    await page.getByLabel('Environment name').fill('prod');
    await page.getByLabel('Replicas').fill('2');
    await page.getByLabel('Protected').check();
    await page.getByRole('button', { name: 'Create environment' }).click();
    await page.waitForURL(`**/p/${slug}/a/checkout/e/prod`, WAIT);
    envPath = new URL(page.url()).pathname;
    await page.getByRole('heading', { level: 1, name: /checkout \/ prod/ }).waitFor(WAIT);
    await recordEventLatencies(page);
  });

  it('should release a first image straight to 100% and list it in the history', async () => {
    await page.getByLabel('Image').fill('registry.local/shop:1.0');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await expect.poll(() => history().first().textContent(), WAIT).toMatch(/r1.*registry\.local\/shop:1\.0.*succeeded/);
    await page.getByLabel('Image').waitFor(WAIT);
  });

  it('should show the canary paused at 10% live, then promote it to 50% and to 100% after confirmation', async () => {
    await page.getByLabel('Image').fill('registry.local/shop:2.0');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await page.getByRole('button', { name: 'Promote to 50%' }).waitFor(WAIT);
    await expect.poll(() => applied().textContent(), WAIT).toBe('10%');
    expect(await page.getByTestId('declared-weight').textContent()).toBe('10%');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('10');
    await page.locator('li[data-type="WEIGHT_APPLIED"]').first().waitFor(WAIT);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'environment-canary');

    await page.getByRole('button', { name: 'Promote to 50%' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent(), WAIT).toContain('(protected)');
    await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.getByRole('button', { name: 'Promote to 100%' }).waitFor(WAIT);
    await expect.poll(() => applied().textContent(), WAIT).toBe('50%');

    await page.getByRole('button', { name: 'Promote to 100%' }).click();
    await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
    await expect.poll(() => history().first().textContent(), WAIT).toMatch(/r2.*shop:2\.0.*succeeded/);
  });

  it('should say it is offline during a network drop and resume the release stream without a gap or a repeat', async () => {
    await page.getByLabel('Image').fill('registry.local/shop:3.0');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await page.getByRole('button', { name: 'Promote to 50%' }).waitFor(WAIT);
    const release = await page.locator('section[data-release]').getAttribute('data-release');

    const dropped = proxy.drop(2_000);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor(WAIT);
    await dropped;
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ state: 'detached', ...WAIT });

    // While the page was cut off, the release moved on: the resumed stream brings exactly the missing events.
    await tryCommand(t, 'promoteRelease', { id: release, expectedStepIndex: 0 });
    await expect.poll(() => applied().textContent(), WAIT).toBe('50%');
    const api = await eventLog(t, release!);
    const promoted = api.find((e) => e.type === 'PROMOTED')!.sequence;
    const shownSequences = () => page.locator('section[data-release] li[data-sequence]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-sequence'))));
    await expect.poll(async () => (await shownSequences()).includes(promoted), WAIT).toBe(true);
    const shown = await shownSequences();
    expect(shown).toEqual(api.map((e) => e.sequence).slice(0, shown.length));
  });

  it('should abort a release with a reason and show how it ended', async () => {
    await page.getByRole('button', { name: 'Abort' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (recorded with the release)').fill('error rate up');
    await dialog.getByRole('button', { name: 'Abort release' }).click();
    await expect.poll(() => history().first().textContent(), WAIT).toMatch(/r3.*shop:3\.0.*aborted/);
    expect(await history().first().textContent()).toContain('error rate up');
  });

  it('should roll back to the previous version after confirmation', async () => {
    await page.getByRole('button', { name: 'Roll back to the previous version' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => history().first().textContent(), WAIT).toMatch(/r4.*rollback.*shop:1\.0.*succeeded/);
    await screenshot(page, 'environment-history');
  });

  it('should open the environment page again on reload of its deep link (time to usable printed)', async () => {
    latencies.push(...(await eventLatencies(page)));
    const started = Date.now();
    await page.reload();
    await page.getByTestId('workload-summary').waitFor(WAIT);
    await page.getByRole('button', { name: 'Roll back to the previous version' }).waitFor(WAIT);
    console.log(`console: environment page usable ${Date.now() - started} ms after a reload`);
    expect(new URL(page.url()).pathname).toBe(envPath);
    expect(await page.getByTestId('viewer').textContent()).toContain('admin');
    await recordEventLatencies(page);
  });

  it('should pass axe on the project and projects pages', async () => {
    await page.getByRole('link', { name: 'Shop' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor(WAIT);
    await expect.poll(() => page.locator('section[aria-labelledby="audit"] tbody tr').count(), WAIT).toBeGreaterThan(3);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'project');
    await page.getByRole('link', { name: 'Projects' }).first().click();
    await page.getByRole('link', { name: 'Shop' }).waitFor(WAIT);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('should show a member without the role no promote button, and refuse them through the API', async () => {
    const { projects } = await t.ok<{ projects: { nodes: { id: string; slug: string }[] } }>('{ projects { nodes { id slug } } }');
    const project = projects.nodes.find((p) => p.slug === slug)!;
    const developer = await aUser(t);
    await addMember(t, project.id, developer.login, 'DEVELOPER');
    const { project: found } = await t.ok(`query($s: String!) { project(slug: $s) { app(name: "checkout") { environment(name: "prod") { id } } } }`, { s: slug });
    const release = await createRelease(t, { environmentId: found.app.environment.id, image: 'registry.local/shop:5.0' });
    await atGate(t, release.id, 0);

    // A new tab has an empty session: the deep link asks for a token, then opens where it pointed.
    const other = await browser.newPage();
    await other.goto(`${proxy.url}${envPath}`);
    await other.getByLabel('API token').fill(developer.token);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.locator(`section[data-release="${release.id}"]`).waitFor(WAIT);
    await expect.poll(() => other.getByTestId('applied-weight').textContent(), WAIT).toBe('10%');
    expect(await other.getByRole('button', { name: /Promote|Abort|Pause/ }).count()).toBe(0);
    expect(await other.getByText('releasing here takes MAINTAINER or above').count()).toBe(1);
    await screenshot(other, 'environment-developer');
    // The same role reads the protected environment's config and cron jobs, with no control to change them.
    await other.getByRole('navigation', { name: 'Environment panels' }).getByRole('link', { name: 'Configuration' }).click();
    await other.getByTestId('config-revision').waitFor(WAIT);
    expect(await other.getByRole('button', { name: /Save revision|Set secret/ }).count()).toBe(0);
    expect(await other.getByText('changing it takes a higher role').count()).toBe(1);
    await other.getByRole('navigation', { name: 'Environment panels' }).getByRole('link', { name: 'Cron jobs' }).click();
    await other.getByRole('heading', { level: 2, name: 'Cron jobs' }).waitFor(WAIT);
    expect(await other.getByRole('button', { name: 'Create cron job' }).count()).toBe(0);

    const refused = await tryCommand(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 }, developer.token);
    expect(errorOf(refused).code).toBe('FORBIDDEN');
    expect(errorOf(refused).message).toMatch(/MAINTAINER/);
    await tryCommand(t, 'abortRelease', { id: release.id, reason: 'test over' });

    // The API explorer in the same tab takes the session's token as its Authorization header.
    await other.goto(`${proxy.url}/graphql`);
    // Executed again until it answers: on a loaded machine the first click can come before the
    // editor has its query (the button then runs nothing).
    await expect
      .poll(async () => {
        const text = (await other.locator('.graphiql-response').textContent()) ?? '';
        if (!text.includes(developer.login)) await other.getByRole('button', { name: 'Execute query' }).click({ timeout: 1_000 }).catch(() => undefined);
        return text;
      }, WAIT)
      .toContain(developer.login);
    expect(await other.locator('.graphiql-response').textContent()).toContain(slug);
    // A subscription runs over graphql-ws with the same header: the current workload comes first.
    // (GraphiQL 4's editor is CodeMirror 5, which keeps its instance on its element.)
    const subscription = `subscription Workload { workloadChanged(environmentId: "${found.app.environment.id}") { declaredReplicas readyReplicas } }`;
    await other.evaluate(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(${JSON.stringify(subscription)})`);
    // Executed again until it answers: GraphiQL takes the operation's name from the editor a moment
    // after it changed (a click before that still asks for `Viewer`).
    await expect
      .poll(async () => {
        const text = (await other.locator('.graphiql-response').textContent()) ?? '';
        if (!text.includes('"declaredReplicas"')) await other.getByRole('button', { name: 'Execute query' }).click({ timeout: 1_000 }).catch(() => undefined);
        return text;
      }, WAIT)
      .toContain('"declaredReplicas"');
    await screenshot(other, 'graphiql');
    await other.close();
  });

  it('should load its pages without any Content-Security-Policy violation', () => {
    expect(browser.cspViolations).toEqual([]);
  });

  it('should bring release events to the DOM (p99 printed for bench/RESULTS.md)', async () => {
    latencies.push(...(await eventLatencies(page)));
    expect(latencies.length).toBeGreaterThan(5);
    console.log(
      `console: release event → DOM over ${latencies.length} live events: p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    );
  });
});
