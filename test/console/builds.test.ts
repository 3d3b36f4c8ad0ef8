import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, consoleBuilt, launchBrowser, screenshot, seriousAxeViolations, type Browser } from '../support/browser.ts';
import { buildToolsMissing, pushBusyboxImage, startGitServer, startRegistry, testSpec, type GitServer } from '../support/builds.ts';
import { aProject, anEnvironment } from '../support/fixtures.ts';
import { FAST_RELEASES } from '../support/releases.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';
import { signInAt } from './sign-in.ts';

/**
 * Builds in the web console, in a real Chromium against a real Gantry that builds for real
 * (git daemon → buildah → docker-registry, as test/builds/builds-e2e.test.ts) and releases to
 * the embedded cluster: the spec editor, a build's stages and output live, and "release this build".
 */
const run = chromiumAvailable() && !buildToolsMissing();
const WAIT = { timeout: 45_000 };

describe.skipIf(!run)('builds in the web console in Chromium', { timeout: 240_000 }, () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let git: GitServer;
  let base: string;
  let appPath = '';
  let commit = '';

  beforeAll(async () => {
    await consoleBuilt();
    registry = await startRegistry();
    base = pushBusyboxImage(registry.host);
    git = await startGitServer();
    t = await startTestServer({ env: { ...FAST_RELEASES.env, GANTRY_REGISTRY: registry.host, GANTRY_BUILD_TICK_MS: '200' }, start: FAST_RELEASES.start });
    const project = await aProject(t);
    commit = git.push('checkout', { 'main.txt': 'hello\n' });
    const { createApp } = await t.ok(`mutation($i: CreateAppInput!) { createApp(input: $i) { id } }`, {
      i: { projectId: project.id, name: 'checkout', language: 'OTHER', repoUrl: git.url('checkout') },
    });
    await anEnvironment(t, createApp.id, { name: 'dev', replicas: 1 });
    appPath = `/p/${project.slug}/a/checkout`;
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await git?.stop();
    await registry?.stop();
  });

  it('should refuse a bad build spec with its line in words, then save a good one', async () => {
    await signInAt(page, `${new URL(t.url).origin}${appPath}`, ADMIN_TOKEN);
    const spec = page.getByLabel('Build spec (YAML)');
    await spec.waitFor(WAIT);
    expect(await spec.inputValue()).toContain('prepare');
    await spec.fill(`${testSpec(base)}cache: true\n`);
    await page.getByRole('button', { name: 'Save build spec' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toMatch(/not valid at line \d+, column 1: .*unknown key "cache"/);
    await spec.fill(testSpec(base));
    await page.getByRole('button', { name: 'Save build spec' }).click();
    await page.getByRole('status').filter({ hasText: 'Build spec saved.' }).waitFor(WAIT);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("should start a build and show its stages and output live, on the build's own page", async () => {
    await page.getByRole('button', { name: 'Start build' }).click();
    await page.waitForURL(/\/a\/checkout\/b\//, WAIT);
    const stages = page.locator('section[data-build-status]');
    await stages.waitFor(WAIT);
    // Opened while the build runs; it ends on this page without a reload: the stream moved it.
    expect(await stages.getAttribute('data-build-status')).toMatch(/QUEUED|RUNNING/);
    await expect.poll(() => stages.getAttribute('data-build-status'), { timeout: 150_000 }).toBe('SUCCEEDED');
    expect(await stages.locator('tr[data-stage]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-stage'), r.getAttribute('data-status')]))).toEqual([
      ['prepare', 'SUCCEEDED'], ['build', 'SUCCEEDED'], ['package:app', 'SUCCEEDED'], ['package:dist', 'SUCCEEDED'],
    ]);
    expect(await page.locator('li[data-type="STAGE_STARTED"]').count()).toBe(4);
    await expect.poll(() => page.getByRole('log', { name: 'Build output' }).textContent(), WAIT).toContain(`built ${commit}`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'build');
  });

  it('should release the build by digest to an environment and open the environment on it', async () => {
    await page.getByRole('button', { name: 'Release build 1' }).click();
    await page.waitForURL(/\/a\/checkout\/e\/dev$/, WAIT);
    const history = page.locator('section[aria-labelledby="history"] tbody tr');
    await expect.poll(() => history.first().textContent(), WAIT).toMatch(new RegExp(`r1.*${registry.host}/.*/checkout:b1@sha256:[0-9a-f]{64}`));
    const { project } = await t.ok(`query($p: String!) { project(slug: $p) { app(name: "checkout") { environment(name: "dev") { releases { nodes { build { number } createdBy { login } } } } } } }`, {
      p: appPath.split('/')[2],
    });
    expect(project.app.environment.releases.nodes).toEqual([{ build: { number: 1 }, createdBy: { login: 'admin' } }]);
  });

  it('should load its pages without any Content-Security-Policy violation', () => {
    expect(browser.cspViolations).toEqual([]);
  });
});
