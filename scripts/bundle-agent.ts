/**
 * The agent's single-file bundle: agent/main.ts and its dependencies (graphql-ws and ws included)
 * in one ES module that runs with `node` alone. Used by `npm run build:agent` and by the VM tests,
 * which run the very file that is copied onto machines.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Writes the bundle to `outfile`. */
export async function bundleAgent(outfile: string): Promise<void> {
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
}
