/**
 * The app the VM release tests build and run on their agents (a tiny HTTP server from the build's
 * tarball), its build spec, and the HTTP probes that count its answers by side and version.
 */
import { request } from 'node:http';

/**
 * The app the agents run: answers every path with its build number (from the build's `version`
 * file), and /config with the config it was started with (the test's own app, so it may show it).
 */
export const VM_APP_SOURCE = `import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
const version = readFileSync(new URL('./version', import.meta.url), 'utf8').trim();
const settings = process.env.GANTRY_CONFIG_DIR + '/app/settings.json';
const config = JSON.stringify({ secret: process.env.SHOP_API_KEY ?? null, mode: process.env.SHOP_MODE ?? null, file: existsSync(settings) ? readFileSync(settings, 'utf8') : null });
createServer((req, res) => res.writeHead(200, { 'x-app-version': version }).end(req.url === '/config' ? config : version)).listen(Number(process.env.PORT), '127.0.0.1');
`;

/** The app's build spec: an image and a tarball of `out/`, and the `run:` section the agents start. */
export function vmAppSpec(base: string): string {
  return [
    `variables: { BASE: ${JSON.stringify(base)} }`,
    'prepare: { version: "1", image: "${BASE}", commands: ["mkdir -p deps"], paths: [deps] }',
    'build: { commands: ["mkdir -p out", "cp server.mjs out/", "echo b$GANTRY_BUILD_NUMBER > out/version"] }',
    'artifacts:',
    '  - { kind: image, name: app, dockerfile: "FROM ${BASE}\\nCOPY out/ /app/\\n" }',
    '  - { kind: tarball, name: dist, paths: [out] }',
    'run: { command: ["node", "out/server.mjs"], healthPath: /healthz }',
    '',
  ].join('\n');
}

/** GET `path` on a port; resolves with status and body ('' on a connection error, counted as a failure). */
export function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

/** GET / with the answer's side: the cluster gateway names its version in x-gantry-version. */
export function getWithHeaders(port: number): Promise<{ status: number; body: string; cloudVersion: string | null }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim(), cloudVersion: (res.headers['x-gantry-version'] as string | undefined) ?? null }));
    });
    req.on('error', () => resolve({ status: 0, body: '', cloudVersion: null }));
    req.end();
  });
}

/** Sends `n` requests through the frontend; counts them by side (the gateway names its version in a header) and version. */
export async function sample(frontend: number, n: number): Promise<{ cloud: number; vm: number; failed: number; versions: Set<string> }> {
  const counts = { cloud: 0, vm: 0, failed: 0, versions: new Set<string>() };
  for (let i = 0; i < n; i++) {
    const answer = await getWithHeaders(frontend);
    if (answer.status !== 200) counts.failed += 1;
    else if (answer.cloudVersion) (counts.cloud += 1), counts.versions.add(answer.cloudVersion);
    else (counts.vm += 1), counts.versions.add(answer.body);
  }
  return counts;
}
