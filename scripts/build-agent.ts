/** `npm run build:agent`: the agent's single-file bundle (scripts/bundle-agent.ts) as `dist/gantry-agent.mjs`. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { bundleAgent } from './bundle-agent.ts';

const outfile = join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'gantry-agent.mjs');
await bundleAgent(outfile);
console.log(`build:agent: ${outfile}`);
