import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startGantry, type GantryServer, type StartOptions } from '../../server/app.ts';
import { loadConfig, type GantryConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import type { ClusterDirectory } from '../../services/cluster/directory.ts';
import { TEST_DB } from './database.ts';
import { aMigratedPgliteDir, aMigratedPostgresDatabase } from './migrated-database.ts';

export const ADMIN_TOKEN = 'gnt_test-admin-token-0123456789abcdefghijklmnopqrstuv';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  server: GantryServer;
  url: string;
  wsUrl: string;
  /** The metrics-only listener's /metrics (GANTRY_METRICS_PORT, a free loopback port here). */
  metricsUrl: string;
  /** GETs /metrics as Prometheus would and resolves with the text. */
  scrape(): Promise<string>;
  /** SQL statements sent so far (gantry_db_queries_total) of one origin, or of both. */
  statements(origin?: 'request' | 'background'): Promise<number>;
  /** POSTs a GraphQL operation with fetch; `token` null sends no Authorization header. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Like gql, but throws unless the answer has data and no errors. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T>;
  /** A graphql-ws client authenticated with `token`; closed by `close()`. */
  ws(token?: string | null, options?: { retryAttempts?: number; lazy?: boolean; onClose?: (code: number) => void }): Client;
  /** Stops and starts the server again on the same database (and port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  start?: Partial<StartOptions>;
}

/**
 * A static directory with one healthy cluster, for tests that do not exercise clusters
 * (a test double: those suites need no cluster at all, and starting one would only slow them).
 */
export const oneClusterDirectory: ClusterDirectory = {
  list: () => [{ name: 'embedded', status: 'CONNECTED', version: 'v1.32.0', lastSyncAt: new Date() }],
  get: (name) => (name === 'embedded' ? oneClusterDirectory.list()[0]! : null),
  defaultName: () => 'embedded',
  port: () => null,
  prepareRegistration: () => ({ error: 'this test directory registers nothing', field: 'kubeconfig' }),
  connectRegistered: () => Promise.reject(new Error('this test directory registers nothing')),
  sourceOf: (name) => (name === 'embedded' ? 'embedded' : null),
  unregister: () => Promise.reject(new Error('this test directory registers nothing')),
};

/**
 * Starts Gantry on a fresh, migrated database (PostgreSQL or a PGlite data dir, per GANTRY_TEST_DB;
 * test/support/migrated-database.ts) on a free loopback port. Each test file gets its own server, so files run concurrently.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-test-'));
  const pg = TEST_DB === 'postgres' ? await aMigratedPostgresDatabase() : null;
  const baseEnv: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    GANTRY_DATA_DIR: dataDir,
    GANTRY_ADMIN_TOKEN: ADMIN_TOKEN,
    GANTRY_LOG_LEVEL: process.env.GANTRY_TEST_LOG_LEVEL ?? 'silent',
    GANTRY_SHUTDOWN_TIMEOUT_MS: '2000',
    GANTRY_METRICS_PORT: '0',
    // Prometheus and Alertmanager start only in the suites that use them (test/support/monitoring.ts).
    GANTRY_MANAGED_MONITORING: '0',
    // Suites create fixtures with one admin token as fast as they can, on a loaded machine: the
    // per-token limits are lifted here; test/api/limits.test.ts sets them low and checks them.
    GANTRY_MAX_OPERATIONS_PER_SECOND: '100000',
    GANTRY_OPERATIONS_BURST: '100000',
    GANTRY_MAX_CONNECTIONS_PER_TOKEN: '10000',
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...options.env,
  };
  let config: GantryConfig = loadConfig(baseEnv);
  if (!config.databaseUrl && !config.pgliteDir.startsWith('memory://')) aMigratedPgliteDir(config.pgliteDir);
  const logger = createLogger(config.logLevel);
  const startOptions = (): StartOptions => ({ clusters: oneClusterDirectory, logger, ...options.start });
  let server = await startGantry(config, startOptions());
  const sockets: Client[] = [];

  const handle: TestServer = {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    get wsUrl() {
      return server.url.replace(/^http/, 'ws');
    },
    get metricsUrl() {
      return server.metricsUrl;
    },
    async scrape() {
      const res = await fetch(server.metricsUrl);
      if (res.status !== 200) throw new Error(`GET ${server.metricsUrl} answered ${res.status}`);
      return res.text();
    },
    async statements(origin) {
      const lines = (await handle.scrape()).split('\n').filter((l) => l.startsWith(`gantry_db_queries_total{origin="${origin ?? ''}`));
      if (lines.length === 0) throw new Error(`no gantry_db_queries_total series for origin ${origin ?? '(any)'}`);
      return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    },
    async gql(query, variables, token = ADMIN_TOKEN) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Omit<GraphQLResponse, 'status' | 'headers'>;
      return { status: res.status, headers: res.headers, ...body } as GraphQLResponse<any>;
    },
    async ok(query, variables, token) {
      const res = await handle.gql(query, variables, token);
      if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
      return res.data as any;
    },
    ws(token = ADMIN_TOKEN, wsOptions = {}) {
      const client = createClient({
        url: handle.wsUrl,
        webSocketImpl: WebSocket,
        lazy: wsOptions.lazy ?? true,
        retryAttempts: wsOptions.retryAttempts ?? 0,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        on: { closed: (event) => wsOptions.onClose?.((event as { code: number }).code) },
      });
      sockets.push(client);
      return client;
    },
    async restart() {
      const port = server.port;
      await server.close();
      config = loadConfig({ ...baseEnv, PORT: String(port) });
      server = await startGantry(config, startOptions());
    },
    async close() {
      for (const s of sockets) await s.dispose();
      await server.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** The first error's code, or 'ok'. */
export function outcome(res: GraphQLResponse): string {
  return res.errors?.length ? String(res.errors[0]!.extensions?.code) : 'ok';
}

/** Runs one operation over a graphql-ws client and resolves with its single result. */
export function wsExecute<T = Record<string, any>>(client: Client, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: any[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T; errors?: any[] } = {};
    client.subscribe<T>(
      { query, variables: variables ?? {} },
      {
        next: (value) => (result = value as never),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => resolve(result),
      },
    );
  });
}
