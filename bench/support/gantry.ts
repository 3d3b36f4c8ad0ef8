import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGantry, type GantryServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { startClusterProcess } from '../../test/support/processes.ts';
import { parse } from 'yaml';
import type { EmbeddedCluster, EmbeddedClusterOptions } from '../../embedded-cluster/index.ts';

/** The platform admin's token of every bench server (GANTRY_ADMIN_TOKEN). */
export const BENCH_ADMIN_TOKEN = 'gnt_bench-admin-token-0123456789abcdefghijklmnopqrstuv';

/** A Gantry started for a benchmark: loopback only, PGlite in memory (or a given PostgreSQL database), silent logs, the embedded cluster. */
export interface BenchGantry<Embedded extends EmbeddedCluster | null = EmbeddedCluster> {
  server: GantryServer;
  /** The in-process embedded cluster; null when the cluster runs in its own process. */
  embedded: Embedded;
  /** The cluster's API server and bearer token (from its kubeconfig), to watch it like kubectl does. */
  api: { server: string; token: string };
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>` of the metrics-only listener (GANTRY_METRICS_PORT) */
  metricsOrigin: string;
  wsUrl: string;
  /** POSTs a GraphQL operation as the admin; resolves with `data`, throws on any error. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the server (and its embedded cluster) and removes the temp dir. */
  close(): Promise<void>;
}

/**
 * Starts Gantry with its in-process embedded Kubernetes API server, as `npm start` would with no
 * cluster configured, but on 127.0.0.1 and a free port.
 * @throws Error when the server cannot start.
 */
export async function startBenchGantry(embedded: Partial<EmbeddedClusterOptions>, options?: { databaseUrl?: string; clusterProcess?: false }): Promise<BenchGantry>;
export async function startBenchGantry(embedded: Partial<EmbeddedClusterOptions>, options: { databaseUrl?: string; clusterProcess: true }): Promise<BenchGantry<null>>;
export async function startBenchGantry(
  embedded: Partial<EmbeddedClusterOptions>,
  options: { databaseUrl?: string; clusterProcess?: boolean } = {},
): Promise<BenchGantry<EmbeddedCluster | null>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bench-'));
  // Out of process, the simulated API server and its controllers do not share Gantry's event
  // loop, as a real cluster would not; the cluster-watch bench keeps it in process to reach its store.
  const external = options.clusterProcess ? await startClusterProcess(join(dataDir, 'cluster'), embedded.timeScale) : null;
  const config = loadConfig({
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(external ? { GANTRY_CLUSTERS: `embedded=${external.kubeconfig}`, GANTRY_EMBEDDED_CLUSTER: '0', GANTRY_ALLOW_INSECURE_CLUSTERS: '1' } : { GANTRY_EMBEDDED_CLUSTER: '1' }),
    HOST: '127.0.0.1',
    PORT: '0',
    GANTRY_DATA_DIR: dataDir,
    // The bench keeps nothing: PGlite in memory starts faster and does no file I/O.
    GANTRY_PGLITE_DIR: 'memory://',
    GANTRY_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    GANTRY_LOG_LEVEL: 'silent',
    GANTRY_SHUTDOWN_TIMEOUT_MS: '2000',
    GANTRY_METRICS_PORT: '0',
    // The other benches measure Gantry alone: no managed Prometheus or Alertmanager beside it.
    GANTRY_MANAGED_MONITORING: '0',
    // The benches open a thousand subscribers on one token (one connection each) and set up
    // fixtures as fast as they can: the per-token limits are lifted so they measure Gantry, not them.
    GANTRY_MAX_CONNECTIONS_PER_TOKEN: '100000',
    GANTRY_MAX_OPERATIONS_PER_SECOND: '1000000',
    GANTRY_OPERATIONS_BURST: '1000000',
  });
  const server = await startGantry(config, external ? {} : { embedded });
  const cluster = server.embedded;
  if (!cluster && !external) throw new Error('the embedded cluster did not start');
  const kubeconfig = parse(readFileSync(external?.kubeconfig ?? cluster!.kubeconfigPath!, 'utf8'));
  return {
    server,
    embedded: cluster,
    api: { server: kubeconfig.clusters[0].cluster.server, token: kubeconfig.users[0].user.token },
    origin: new URL(server.url).origin,
    metricsOrigin: new URL(server.metricsUrl).origin,
    wsUrl: server.url.replace(/^http/, 'ws'),
    async gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_TOKEN}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: unknown[] };
      if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
    async close() {
      await server.close();
      await external?.process.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A bench Gantry whatever process its cluster runs in. */
export type AnyBenchGantry = BenchGantry<EmbeddedCluster | null>;
