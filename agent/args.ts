/** The agent's command line: `--url <gantry> --token <host token> --dir <work dir> --port <app port> [--host <address>]`. */
export interface AgentArgs {
  /** Gantry's GraphQL endpoint (`http(s)://…/graphql`; a bare origin gets `/graphql`). */
  url: string;
  token: string;
  dir: string;
  port: number;
  /** The address the load balancer reaches this machine at (reported; default 127.0.0.1). */
  host: string;
}

/** @throws Error naming the option that is missing or malformed. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): AgentArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--(url|token|dir|port|host)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg.slice(0, 40))} (expected --url, --token, --dir, --port, --host)`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${match[1]} needs a value`);
    values.set(match[1]!, value);
  }
  // The token may come from the environment, so it is not in the process list.
  const token = values.get('token') ?? env.GANTRY_AGENT_TOKEN;
  const url = values.get('url');
  const dir = values.get('dir');
  const port = Number(values.get('port'));
  if (!url || !/^https?:\/\//.test(url)) throw new Error('--url must be Gantry\'s http(s) URL');
  if (!token) throw new Error('--token (or GANTRY_AGENT_TOKEN) is required');
  if (!dir) throw new Error('--dir (the work directory) is required');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('--port must be 1 to 65535');
  const endpoint = new URL(url);
  if (endpoint.pathname === '/' || endpoint.pathname === '') endpoint.pathname = '/graphql';
  return { url: endpoint.toString(), token, dir, port, host: values.get('host') ?? '127.0.0.1' };
}
