import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../scripts/build-console.ts';

/** Debian's Chromium, driven by playwright-core (no browser download: the machines are offline). */
export const CHROMIUM = '/usr/bin/chromium';
/** The flags the web console issue asks for: headless, no sandbox (root in CI), nothing phoning home. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots of the browser tests (gitignored), kept as test artifacts. */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');

/**
 * True when the browser tests can run. Without Chromium they are skipped with a notice, except
 * under CI=true, where a missing Chromium fails the run (.ci/run installs it).
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: the browser tests are mandatory in CI (apt-get install chromium)`);
  console.warn(`SKIPPED: the web console's browser tests need Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return false;
}

/** Builds the console once for the whole run (reused while its sources are unchanged). */
export async function consoleBuilt(): Promise<void> {
  await ensureConsoleBuilt();
}

export interface Browser {
  context: BrowserContext;
  /** Messages of Content-Security-Policy violations seen on any page. */
  cspViolations: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium with a fresh user-data dir (removed on close): no state from an earlier run. */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'gantry-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const cspViolations: string[] = [];
  const watch = (page: Page) => page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    cspViolations,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-artifacts/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is and returns the serious and
 * critical violations. Evaluated through the DevTools protocol, so the page's CSP stays on.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`(async () => {
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) }));
  })()`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Starts recording, in the page, when each release event reaches the DOM: for every event row
 * (`li[data-at]` in a release panel) the time it was inserted minus the event's own `at`. Only
 * events that happened after their panel was on the page count (older ones are a replay).
 * Page code is passed as text: the test project's types have no DOM.
 */
export async function recordEventLatencies(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.__latencies = [];
    const mounted = new Map();
    const seen = (node) => {
      const now = performance.timeOrigin + performance.now();
      for (const panel of node.matches('section[data-release]') ? [node] : [...node.querySelectorAll('section[data-release]')]) {
        const id = panel.getAttribute('data-release');
        if (!mounted.has(id)) mounted.set(id, now);
      }
      for (const row of node.matches('li[data-at]') ? [node] : [...node.querySelectorAll('li[data-at]')]) {
        const panel = row.closest('section[data-release]');
        const since = panel ? mounted.get(panel.getAttribute('data-release')) : undefined;
        const at = Date.parse(row.getAttribute('data-at'));
        if (since !== undefined && at > since) window.__latencies.push(now - at);
      }
    };
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) if (node instanceof Element) seen(node);
    }).observe(document.body, { childList: true, subtree: true });
  })()`);
}

/** The latencies recorded so far (ms). */
export async function eventLatencies(page: Page): Promise<number[]> {
  return (await page.evaluate('window.__latencies ?? []')) as number[];
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/**
 * A TCP proxy in front of Gantry that the test can cut, as a network drop would: `drop(ms)`
 * destroys every open connection (the console's WebSocket included) and refuses new ones for `ms`.
 */
export async function startDroppableProxy(targetPort: number): Promise<{ url: string; drop(ms: number): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async drop(ms) {
      refusing = true;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, ms));
      refusing = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
