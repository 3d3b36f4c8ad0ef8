import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** True when something listens where the PostgreSQL test server should be. */
function postgresReachable(): Promise<boolean> {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 5432), timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** Tests that touch the database: they run twice, on PGlite and on PostgreSQL (but ONE_DATABASE_TESTS). */
const DATABASE_TESTS = ['test/api/**/*.test.ts', 'test/db/**/*.test.ts'];
/** Builds each project's migrated template database once per run. */
const TEMPLATES = 'test/support/database-templates.ts';
/**
 * Files under DATABASE_TESTS that prove nothing more on a second database: what they check is
 * the cluster's objects (strategies, replicas, pod annotations), the HTTP and WebSocket protocol,
 * limits kept in memory, kubeconfig checks and the metrics listener. On PGlite only (the project
 * that always runs). The release engine, tokens, subscriptions, concurrency and shutdown run on both.
 */
const ONE_DATABASE_TESTS = [
  'test/api/releases-strategies.test.ts',
  'test/api/environment-replicas.test.ts',
  'test/api/metrics-annotations.test.ts',
  'test/api/graphql-over-http.test.ts',
  'test/api/input-validation.test.ts',
  'test/api/limits.test.ts',
  'test/api/clusters-files.test.ts',
  'test/api/clusters-background.test.ts',
  'test/api/metrics.test.ts',
  'test/db/pglite-lock.test.ts',
];
/** Several real Gantry processes on one database: PostgreSQL only (PGlite is single-process). */
const MULTIPROCESS_TESTS = ['test/multiprocess/**/*.test.ts'];

// CI always has PostgreSQL (.ci/run starts it), so there a missing server fails loudly.
const withPostgres = process.env.CI === 'true' || (await postgresReachable());
if (!withPostgres) console.warn('PostgreSQL not reachable at 127.0.0.1:5432: running the database tests on PGlite only');

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds; Node loads the CJS one for our
    // dependencies, so make Vite pick the same file or instanceof checks fail across realms.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    testTimeout: 30_000,
    // Most test files wait on servers, clusters and child processes rather than on the CPU: two
    // files at once on a 2-core machine took the suite from about 24 to 21 minutes (vitest's
    // default there is one).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    hookTimeout: 60_000,
    // Per project, not at the root (whose global setup vitest runs as well): each migrates one
    // template database of its kind, which test servers copy (test/support/database-templates.ts).
    projects: [
      {
        extends: true as const,
        test: { name: 'pglite', include: ['test/**/*.test.ts'], exclude: MULTIPROCESS_TESTS, env: { GANTRY_TEST_DB: 'pglite' }, globalSetup: [TEMPLATES] },
      },
      ...(withPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: [...DATABASE_TESTS, ...MULTIPROCESS_TESTS],
                exclude: ONE_DATABASE_TESTS,
                env: { GANTRY_TEST_DB: 'postgres' },
                globalSetup: [TEMPLATES],
              },
            },
          ]
        : []),
    ],
  },
});
