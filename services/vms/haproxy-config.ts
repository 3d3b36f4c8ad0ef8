/**
 * The managed HAProxy's configuration, rendered from what Gantry knows (pure; no I/O). Per
 * environment with VM hosts, three stages, so the split between the VM pool and the cloud is
 * exactly two server weights an admin command can change:
 *
 *   frontend fe_<key>       the environment's traffic (its `frontend` port on loopback)
 *   backend  be_<key>       the split: server `vms` (the pool) and server `cloud` (the cluster's
 *                           ingress), round robin by weight (smooth, so 10/90 is 1 in 10)
 *   backend  be_<key>_vms   the VM hosts' agents, health-checked on the app's health path
 *   backend  be_<key>_cloud the cluster's ingress gateway, with `Host: <app>.<namespace>`
 *
 * The inner hops go through abstract Unix sockets (no ports to allocate). Weights are written
 * here too, so a restart or reload keeps the split last applied over the admin socket.
 */

/** One VM host's agent as a server of the pool. */
export interface PoolServer {
  /** The host's name (`[a-z0-9-]`, checked by registerVmHost). */
  name: string;
  /** `host:port` where its agent serves the app. */
  address: string;
}

/** What one environment's load balancer looks like. */
export interface BalancerLayout {
  /** Stable key of the environment: letters and digits only. */
  key: string;
  /** Loopback port the environment's traffic arrives on. */
  frontendPort: number;
  servers: PoolServer[];
  /** Path the app answers 200 on when healthy (the build spec's `run.healthPath`). */
  healthPath: string;
  /** `host:port` of the cluster's ingress, and the Host header naming the app there. */
  cloud: { address: string; host: string } | null;
  vmWeight: number;
  cloudWeight: number;
}

/** Names of the objects of one environment in HAProxy (also what `GANTRY_HAPROXY_SOCKET` users must name theirs). */
export function balancerNames(key: string) {
  return { frontend: `fe_${key}`, split: `be_${key}`, vms: `be_${key}_vms`, cloud: `be_${key}_cloud` } as const;
}

const SAFE_PATH = /^\/[A-Za-z0-9\-._~/]{0,199}$/;
const SAFE_ADDRESS = /^[A-Za-z0-9.\-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;
const SAFE_HOST = /^[a-z0-9.\-]+$/;

/**
 * The whole configuration file.
 * @param socketPath the admin socket; @param healthPort where `/healthz` answers (readiness);
 * @param namespace a short token that keeps this Gantry's abstract socket names apart from others'.
 * @throws Error on a value that could break out of its line (never expected: inputs are checked earlier).
 */
export function renderHaproxyConfig(options: { socketPath: string; healthPort: number; namespace: string; environments: readonly BalancerLayout[] }): string {
  const lines = [
    '# Written by Gantry; rewritten on every change (edits are lost).',
    'global',
    `  stats socket ${options.socketPath} mode 600 level admin expose-fd listeners`,
    '  stats timeout 10s',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 10s',
    '  retries 3',
    '  retry-on conn-failure empty-response response-timeout',
    '  option redispatch 1',
    '',
    'frontend gantry_health',
    `  bind 127.0.0.1:${options.healthPort}`,
    '  monitor-uri /healthz',
  ];
  for (const env of options.environments) {
    if (!/^[a-z0-9]+$/.test(env.key)) throw new Error('bad balancer key');
    if (!SAFE_PATH.test(env.healthPath)) throw new Error('bad health path');
    const names = balancerNames(env.key);
    const inner = (side: string) => `abns@gantry-${options.namespace}-${env.key}-${side}`;
    lines.push(
      '',
      `frontend ${names.frontend}`,
      `  bind 127.0.0.1:${env.frontendPort}`,
      `  default_backend ${names.split}`,
      '',
      `backend ${names.split}`,
      '  balance roundrobin',
      `  server vms ${inner('vms')} weight ${env.vmWeight}`,
      `  server cloud ${inner('cloud')} weight ${env.cloudWeight}`,
      '',
      `frontend ${names.vms}_in`,
      `  bind ${inner('vms')}`,
      `  default_backend ${names.vms}`,
      '',
      `backend ${names.vms}`,
      '  balance roundrobin',
      `  option httpchk GET ${env.healthPath}`,
      ...env.servers.map((s) => {
        if (!/^[a-z0-9-]+$/.test(s.name) || !SAFE_ADDRESS.test(s.address)) throw new Error('bad pool server');
        return `  server ${s.name} ${s.address} check inter 1s fall 2 rise 1`;
      }),
      '',
      `frontend ${names.cloud}_in`,
      `  bind ${inner('cloud')}`,
      `  default_backend ${names.cloud}`,
      '',
      `backend ${names.cloud}`,
    );
    if (env.cloud) {
      if (!SAFE_ADDRESS.test(env.cloud.address) || !SAFE_HOST.test(env.cloud.host)) throw new Error('bad cloud target');
      lines.push(`  http-request set-header Host ${env.cloud.host}`, `  server gateway ${env.cloud.address}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
