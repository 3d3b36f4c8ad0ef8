/**
 * `npm run agent -- --url <gantry> --token <host token> --dir <work dir> --port <app port>`:
 * the Gantry agent for a VM (agent.ts). The token may instead be given as GANTRY_AGENT_TOKEN.
 * `npm run build:agent` bundles it into one file, `dist/gantry-agent.mjs`, for copying onto machines.
 */
import { GantryAgent } from './agent.ts';
import { parseArgs } from './args.ts';

let args;
try {
  args = parseArgs(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`gantry-agent: ${(error as Error).message}`);
  process.exit(2);
}
const agent = new GantryAgent(args, (line) => console.log(`${new Date().toISOString()} ${line}`));
await agent.start();
console.log(`gantry-agent serving on port ${args.port}, following ${new URL(args.url).origin}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void agent.stop().then(() => process.exit(0)));
}
