/**
 * `npm run build:agent`: bundles the agent (agent/main.ts and its dependencies, graphql-ws and
 * ws included) into one ES module, `dist/gantry-agent.mjs`, that runs with `node` alone.
 * esbuild is already installed (tsx depends on it).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outfile = join(ROOT, 'dist', 'gantry-agent.mjs');
await build({
  entryPoints: [join(ROOT, 'agent', 'main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile,
  // ws' optional native helpers are not needed: it falls back to JavaScript.
  external: ['bufferutil', 'utf-8-validate'],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __gantryRequire } from 'node:module'; const require = __gantryRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`build:agent: ${outfile}`);
