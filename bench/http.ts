/**
 * The HTTP benchmark: what Gantry's request path costs beside what its own stack allows,
 * measured side by side in one run (issue: "the request path at half of bare Apollo").
 * - `{ __typename }` with a bearer token: Gantry vs a bare Apollo Server 5 on the same node:http
 *   integration (bench/http/bare-apollo.ts);
 * - the dashboard query (project → 20 apps → 40 environments → current release) on PostgreSQL:
 *   Gantry vs a plain node:http + postgres.js handler answering the same JSON byte for byte in
 *   4 statements (bench/http/plain-dashboard.ts);
 * - SQL statements per dashboard request, from Gantry's gantry_db_queries_total{origin="request"}:
 *   the statements of requests and operations only, counted through the request context's own
 *   database handle, so background workers (log collection, scans) never enter the figure; their
 *   rate over the same sample is printed beside it.
 * Servers run one at a time pinned to core 1 with NODE_ENV=production; `wrk -t1 -c50` runs on
 * core 0; 3 rounds with the order rotated. Gantry runs from dist/ when `npm run build` made it,
 * else through tsx (the table says which). Needs `wrk` (Debian package) and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase } from '../test/support/database.ts';
import { startClusterProcess } from '../test/support/processes.ts';
import { APPS, DASHBOARD_QUERY, DASHBOARD_SLUG, ENVIRONMENTS_PER_APP, seedDashboard } from './http/dashboard.ts';
import { runWrk, wrkAvailable, type WrkRequest, type WrkResult } from './http/wrk.ts';
import type { Benchmark, BenchResult } from './support/benchmark.ts';
import { formatNumber, printTable } from './support/benchmark.ts';
import { BENCH_ADMIN_TOKEN } from './support/gantry.ts';
import { hasTaskset, LOAD_CPU, Server, SERVER_CPU, startGantryProcess } from './support/server-process.ts';
import { sleep, waitFor } from './support/stats.ts';

const ROUNDS = 3;
const SECONDS = 6;
const CONNECTIONS = 50;

async function post(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return res.text();
}

/** Gantry's SQL statement counter of one origin, from /metrics on the main port or on GANTRY_METRICS_PORT. */
async function statementCount(origins: string[], of: 'request' | 'background'): Promise<number> {
  for (const origin of origins) {
    const res = await fetch(`${origin}/metrics`).catch(() => null);
    if (!res?.ok) continue;
    const line = (await res.text()).split('\n').find((l) => l.startsWith(`gantry_db_queries_total{origin="${of}"}`));
    if (line) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return NaN;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function measure(): Promise<BenchResult> {
  if (!wrkAvailable()) throw new Error('wrk is not installed (Debian package wrk): apt-get install wrk');
  const dir = mkdtempSync(join(tmpdir(), 'gantry-bench-http-'));
  const database = await createPostgresDatabase();
  const cluster = await startClusterProcess(join(dir, 'cluster'), 0.02);
  const servers: Server[] = [];
  try {
    const started = await startGantryProcess(dir, database.url, cluster.kubeconfig, BENCH_ADMIN_TOKEN);
    const gantry = started.server;
    const entry = { label: started.entry };
    servers.push(gantry);
    const gql = async <T,>(query: string, variables: Record<string, unknown> = {}, token = BENCH_ADMIN_TOKEN): Promise<T> => {
      const body = JSON.parse(await post(`${gantry.origin}/graphql`, token, query, variables)) as { data?: T; errors?: unknown };
      if (!body.data || body.errors) throw new Error(`seeding failed: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    const memberToken = await seedDashboard(gql, async () => {
      const settled = await waitFor(async () => {
        const data = await gql<any>(DASHBOARD_QUERY, { slug: DASHBOARD_SLUG });
        return data.project.apps.nodes.every((a: any) => a.environments.every((e: any) => e.currentRelease?.status === 'SUCCEEDED'));
      }, 120_000, 500);
      if (!settled) throw new Error('the seeded releases did not all succeed');
    });
    const apollo = await Server.start('bare Apollo', ['--import', 'tsx', 'bench/http/bare-apollo.ts'], {}, '/', join(dir, 'apollo.log'));
    const plain = await Server.start('plain handler', ['--import', 'tsx', 'bench/http/plain-dashboard.ts'], { DATABASE_URL: database.url }, '/', join(dir, 'plain.log'));
    servers.push(apollo, plain);

    // The baseline must answer what Gantry answers, byte for byte, or the comparison is void.
    const ours = await post(`${gantry.origin}/graphql`, memberToken, DASHBOARD_QUERY, { slug: DASHBOARD_SLUG });
    const theirs = await post(`${plain.origin}/`, memberToken, DASHBOARD_QUERY, { slug: DASHBOARD_SLUG });
    const identical = ours === theirs;
    console.log(`dashboard answer: ${ours.length} bytes; plain handler's ${identical ? 'is identical' : `DIFFERS at byte ${[...ours].findIndex((c, i) => c !== theirs[i])}`}`);

    // Statements per dashboard request: sequential requests between two scrapes.
    const metricsOrigins = started.metricsOrigins;
    const before = await statementCount(metricsOrigins, 'request');
    const backgroundBefore = await statementCount(metricsOrigins, 'background');
    const sampleStart = performance.now();
    const SAMPLE = 200;
    for (let i = 0; i < SAMPLE; i++) await post(`${gantry.origin}/graphql`, memberToken, DASHBOARD_QUERY, { slug: DASHBOARD_SLUG });
    const statements = ((await statementCount(metricsOrigins, 'request')) - before) / SAMPLE;
    const backgroundRate = ((await statementCount(metricsOrigins, 'background')) - backgroundBefore) / ((performance.now() - sampleStart) / 1000);
    console.log(`SQL statements per dashboard request: ${formatNumber(statements, 2)}; background statements meanwhile: ${formatNumber(backgroundRate, 1)}/s`);

    const graphqlRequest = (origin: string, query: string, variables: Record<string, unknown>, path = '/graphql'): WrkRequest => ({
      url: `${origin}${path}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${memberToken}` },
      body: JSON.stringify({ query, variables }),
    });
    const pairs = [
      { work: '{ __typename }', ours: graphqlRequest(gantry.origin, '{ __typename }', {}), baseline: graphqlRequest(apollo.origin, '{ __typename }', {}), baselineName: 'bare Apollo' },
      { work: 'dashboard', ours: graphqlRequest(gantry.origin, DASHBOARD_QUERY, { slug: DASHBOARD_SLUG }), baseline: graphqlRequest(plain.origin, DASHBOARD_QUERY, { slug: DASHBOARD_SLUG }, '/'), baselineName: 'plain handler' },
    ];
    for (const pair of pairs) {
      // Warm-up: JIT and connection pools, not measured.
      await runWrk(pair.ours, { connections: CONNECTIONS, seconds: 2, cpu: LOAD_CPU });
      await runWrk(pair.baseline, { connections: CONNECTIONS, seconds: 2, cpu: LOAD_CPU });
    }
    const results = new Map<string, WrkResult[]>();
    const rows: (string | number)[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const pair of pairs) {
        const order = round % 2 === 0 ? (['Gantry', pair.baselineName] as const) : ([pair.baselineName, 'Gantry'] as const);
        for (const system of order) {
          const result = await runWrk(system === 'Gantry' ? pair.ours : pair.baseline, { connections: CONNECTIONS, seconds: SECONDS, cpu: LOAD_CPU });
          const key = `${pair.work}|${system}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          rows.push([round + 1, pair.work, system, result.requestsPerSecond, result.p50, result.p99, result.errors]);
          await sleep(500);
        }
      }
    }
    console.log(`\nGantry: ${entry.label}; servers pinned to core ${SERVER_CPU}${hasTaskset() ? '' : ' (no taskset: unpinned)'}; wrk -t1 -c${CONNECTIONS} -d${SECONDS}s; ${APPS} apps × ${ENVIRONMENTS_PER_APP} environments on PostgreSQL\n`);
    printTable(['round', 'work', 'system', 'req/s', 'p50 ms', 'p99 ms', 'errors'], rows);

    const summary = pairs.map((pair) => {
      const ours = results.get(`${pair.work}|Gantry`)!;
      const base = results.get(`${pair.work}|${pair.baselineName}`)!;
      const ourRps = median(ours.map((r) => r.requestsPerSecond));
      const baseRps = median(base.map((r) => r.requestsPerSecond));
      return { pair, ourRps, baseRps, ratio: ourRps / baseRps, ourP99: median(ours.map((r) => r.p99)), baseP99: median(base.map((r) => r.p99)), errors: [...ours, ...base].reduce((s, r) => s + r.errors, 0) };
    });
    console.log('\nMedians of the rounds:\n');
    printTable(
      ['work', 'Gantry req/s', 'p99 ms', 'baseline', 'baseline req/s', 'p99 ms', 'ratio', 'errors'],
      summary.map((s) => [s.pair.work, s.ourRps, s.ourP99, s.pair.baselineName, s.baseRps, s.baseP99, formatNumber(s.ratio, 2), s.errors]),
    );
    const [typename, dashboard] = summary as [(typeof summary)[0], (typeof summary)[0]];
    return {
      name: 'http',
      figures: [
        { label: 'bare Apollo ÷ Gantry, { __typename } req/s', value: 1 / typename.ratio, unit: '×', target: 2, detail: `${formatNumber(typename.ourRps, 0)} vs ${formatNumber(typename.baseRps, 0)} req/s (target: Gantry ≥ 0.5 of bare Apollo)` },
        { label: 'plain handler ÷ Gantry, dashboard req/s', value: 1 / dashboard.ratio, unit: '×', target: 1 / 0.3, detail: `${formatNumber(dashboard.ourRps, 0)} vs ${formatNumber(dashboard.baseRps, 0)} req/s (target: Gantry ≥ 0.3 of the plain handler)${identical ? '' : '; ANSWERS DIFFER'}` },
        { label: 'SQL statements per dashboard request', value: statements, unit: 'statements', target: 5, detail: `${SAMPLE} sequential requests, origin="request"; the plain handler uses 4; background ${formatNumber(backgroundRate, 1)}/s` },
        { label: 'failed requests under load', value: typename.errors + dashboard.errors, unit: 'requests', target: 0 },
      ],
    };
  } finally {
    for (const server of servers) await server.stop();
    await cluster.process.kill('SIGTERM');
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Seeding 40 releases and 3 rounds of 4 timed runs take about 3 minutes.
export const http: Benchmark = { name: 'http', run: measure, limitMs: 420_000 };
