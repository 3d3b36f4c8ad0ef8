import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The web console's built files (`npm run build:console`, console/vite.config.ts). Found relative to
 * this module, so `dist/server/console.js` (npm run build) reads `dist/console/dist`.
 */
export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist/', import.meta.url));

/**
 * The console's Content-Security-Policy: only this origin's own scripts, styles and API (GraphQL
 * over HTTP and WebSocket); no inline script, no eval, no frames, no plugins. React's and uPlot's
 * `style` properties go through the CSSOM, which `style-src` does not restrict.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.map': 'application/json',
};

interface StaticFile {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
}

/** Paths the console never answers: the API and the server's own endpoints keep their JSON 404s. */
const API_PREFIXES = ['/graphql', '/healthz', '/readyz', '/metrics', '/hooks/', '/artifacts/'];

/**
 * Serves the built console: hashed `/assets/*` with a year's immutable cache, `index.html` (no-cache,
 * so a new build is picked up at once) for `/` and for any other page path a browser asks for
 * (deep links such as `/p/shop/a/checkout/e/prod` work on reload), and GraphiQL for browsers that
 * GET /graphql. Files are read once, at the first request, and kept with their gzip.
 */
export class ConsoleFiles {
  private files: Map<string, StaticFile> | null = null;

  constructor(private readonly dir: string = CONSOLE_DIST) {}

  /** True when a request is the console's: GET or HEAD of a page or asset path outside the API. */
  claims(req: IncomingMessage, path: string): boolean {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    if (API_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) return false;
    if (path === '/' || path.startsWith('/assets/')) return true;
    // Page paths only for browsers: scripts asking for JSON keep the API's 404 answer.
    return acceptsHtml(req) && !path.includes('.');
  }

  /** True for a browser's GET of /graphql without a query: it gets GraphiQL, not the API's CSRF refusal. */
  wantsExplorer(req: IncomingMessage, url: URL): boolean {
    return (req.method === 'GET' || req.method === 'HEAD') && acceptsHtml(req) && !url.searchParams.has('query');
  }

  /** Answers a path the console claimed. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (path.startsWith('/assets/')) {
      const file = this.load().get(path.slice(1));
      if (!file) return sendText(res, 404, 'No such console asset (the console was rebuilt: reload the page)');
      return send(req, res, file, 'public, max-age=31536000, immutable');
    }
    this.servePage(req, res, 'index.html');
  }

  /** Answers the API explorer page (GraphiQL, bundled by the console build). */
  serveExplorer(req: IncomingMessage, res: ServerResponse): void {
    this.servePage(req, res, 'graphiql.html');
  }

  private servePage(req: IncomingMessage, res: ServerResponse, name: string): void {
    const file = this.load().get(name);
    if (!file) {
      return sendText(res, 503, 'The web console is not built. `npm start` builds it; or run `npm run build:console`.');
    }
    send(req, res, file, 'no-cache');
  }

  private load(): Map<string, StaticFile> {
    if (this.files) return this.files;
    const files = new Map<string, StaticFile>();
    if (existsSync(join(this.dir, 'index.html'))) {
      for (const name of ['index.html', 'graphiql.html']) addFile(files, this.dir, name);
      const assets = join(this.dir, 'assets');
      if (existsSync(assets)) for (const name of readdirSync(assets)) if (!name.endsWith('.map')) addFile(files, this.dir, `assets/${name}`);
      // Keep an incomplete build from being cached as "missing" forever: only a complete one sticks.
      this.files = files;
    }
    return files;
  }
}

function addFile(files: Map<string, StaticFile>, dir: string, name: string): void {
  const path = join(dir, name);
  if (!existsSync(path)) return;
  const body = readFileSync(path);
  const type = TYPES[extname(name)] ?? 'application/octet-stream';
  const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
  files.set(name, { type, body, gzip: compressible ? gzipSync(body, { level: 9 }) : null });
}

function acceptsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/.test(req.headers.accept ?? '');
}

function send(req: IncomingMessage, res: ServerResponse, file: StaticFile, cacheControl: string): void {
  const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzip! : file.body;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': file.type,
    'cache-control': cacheControl,
    vary: 'accept-encoding',
    'content-length': String(body.length),
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}
