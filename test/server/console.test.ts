import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryScriptBytes } from '../../scripts/build-console.ts';
import { consoleBuilt } from '../support/browser.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

/** How Gantry serves the built console and GraphiQL over plain HTTP (the browser tests are in test/console). */
describe('the web console over HTTP', () => {
  let t: TestServer;
  let origin = '';
  beforeAll(async () => {
    await consoleBuilt();
    t = await startTestServer();
    origin = new URL(t.url).origin;
  }, 600_000);
  afterAll(() => t?.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${origin}${path}`, { headers });

  it('should serve the console at / with no-cache and a strict Content-Security-Policy', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('should serve hashed assets with a year-long immutable cache, gzipped when asked', async () => {
    const html = await (await get('/')).text();
    const script = html.match(/src="(\/assets\/index-[\w-]+\.js)"/)![1]!;
    const plain = await get(script);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const body = Buffer.from(await plain.arrayBuffer());
    // fetch decompresses by itself: read the raw bytes through node:http instead.
    const { request } = await import('node:http');
    const gzipped = await new Promise<{ encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
      request(`${origin}${script}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
      }).on('error', reject).end();
    });
    expect(gzipped.encoding).toBe('gzip');
    expect(gunzipSync(gzipped.bytes).equals(body)).toBe(true);
    expect((await get('/assets/index-doesnotexist.js')).status).toBe(404);
  });

  it('should answer deep links with the console for browsers and keep JSON 404s for scripts', async () => {
    const page = await get('/p/shop/a/checkout/e/prod', { accept: 'text/html,application/xhtml+xml' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const script = await get('/p/shop/a/checkout/e/prod', { accept: 'application/json' });
    expect(script.status).toBe(404);
    expect(((await script.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await get('/healthz', { accept: 'text/html' })).headers.get('content-type')).toContain('application/json');
    expect((await get('/hooks/nothing', { accept: 'text/html' })).status).toBe(404);
  });

  it('should give browsers GraphiQL at GET /graphql and leave the API as it was', async () => {
    const explorer = await get('/graphql', { accept: 'text/html' });
    expect(explorer.status).toBe(200);
    expect(explorer.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await explorer.text();
    expect(html).toContain('<title>Gantry API explorer</title>');
    expect(html).not.toMatch(/https?:\/\//);
    const post = await t.gql('{ viewer { login } }');
    expect(post.data).toEqual({ viewer: { login: 'admin' } });
    const query = await get(`/graphql?query=${encodeURIComponent('{ viewer { login } }')}`, {
      accept: 'application/json',
      'apollo-require-preflight': '1',
      authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    expect(query.status).toBe(200);
    expect(((await query.json()) as any).data.viewer.login).toBe('admin');
    // A browser form cannot run a query: Apollo's CSRF prevention still answers without GraphiQL.
    const csrf = await get(`/graphql?query=${encodeURIComponent('{ viewer { login } }')}`, { accept: 'text/html', authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(csrf.status).toBe(400);
    expect(await csrf.text()).toContain('Cross-Site Request Forgery');
  });

  it('should keep the console shell under 300 KB of gzipped JavaScript', () => {
    const shell = entryScriptBytes('index.html');
    console.log(`console: shell and environment page load ${shell.files.length} scripts, ${(shell.gzipBytes / 1024).toFixed(1)} KB gzipped`);
    expect(shell.gzipBytes).toBeLessThan(300 * 1024);
  });
});
