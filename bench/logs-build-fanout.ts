/**
 * The build log fan-out of issue 8 in isolation, `npm run bench -- logs-build-fanout`: a build's
 * log line → each of 100 `buildLogs` subscribers, p99 (target ≤ 200 ms), without buildah, git or
 * a registry (the `builds` bench measures it inside a real build, where buildah's processes share
 * the two cores). One Gantry on PostgreSQL; one build RUNNING under another process's lease (so
 * this Gantry's build worker leaves it alone); as its writer, the builds domain's own `BuildLog`
 * (lines batched every 50 ms) over a `LogLineFeed` on a connection of its own, standing for the
 * Gantry process that runs the build: each batch reaches the subscribers' Gantry by NOTIFY `log`,
 * as another process's would. The writer adds 100 lines/s for 20 s (each line's `at` is when it
 * was added); the 100 subscribers run in a child process.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client.ts';
import { BuildLog } from '../services/builds/build-log.ts';
import { NotifyHub } from '../services/shared/notify.ts';
import { LogLineFeed } from '../services/shared/runtime/log-lines.ts';
import { parseGlobalId, toGlobalId } from '../services/shared/ids.ts';
import { createPostgresDatabase } from '../test/support/database.ts';
import { startBenchGantry } from './support/gantry.ts';
import { formatNumber, printTable, type Benchmark, type BenchResult } from './support/benchmark.ts';
import { sleep } from './support/stats.ts';
import { followLogs, heapMb } from './logs-tail.ts';

const LINES_PER_SECOND = 100;

async function measure(): Promise<BenchResult> {
  const database = await createPostgresDatabase();
  const gantry = await startBenchGantry({ timeScale: 1 }, { databaseUrl: database.url });
  const writerDb = await openDatabase({ url: database.url, dataDir: 'memory://' });
  const hub = new NotifyHub(writerDb);
  const feed = new LogLineFeed(writerDb.db, hub);
  const log = new BuildLog({ append: (stream, lines) => feed.append(stream, lines), now: () => new Date() });
  try {
    await hub.start();
    feed.start();
    const { createProject } = await gantry.gql<any>('mutation { createProject(input: { slug: "fanout", name: "Fanout" }) { id } }');
    const { createApp } = await gantry.gql<any>('mutation($p: ID!) { createApp(input: { projectId: $p, name: "chatty", language: NODE }) { id } }', { p: createProject.id });
    const buildId = randomUUID();
    const appId = parseGlobalId(createApp.id)!.id;
    await writerDb.db.execute(sql`
      insert into builds (id, app_id, number, status, trigger, ref, spec, variables, stages, artifacts, started_at, lease_owner, lease_epoch, lease_expires_at)
      values (${buildId}, ${appId}, 1, 'RUNNING', 'MANUAL', 'main', '', '{}', '[]', '[]', now(), 'bench-writer', 1, now() + interval '1 day')`);
    let written = 0;
    const write = async (ms: number) => {
      const end = Date.now() + ms;
      for (let tick = 0; Date.now() < end; tick++) {
        // Ten lines every 100 ms, as a chatty compiler's output arrives.
        for (let i = 0; i < LINES_PER_SECOND / 10; i++) log.add(buildId, 'build', `line ${written++} compiling module ${tick}/${i}`);
        await sleep(100);
      }
      await log.flush(buildId);
      await sleep(1_000); // the last lines on their way
    };
    const result = await followLogs(gantry.wsUrl, toGlobalId('Build', buildId), 'build', heapMb(), write);
    printTable(
      ['buildLogs, 100 subscribers', 'value'],
      [
        ['lines written', `${formatNumber(written)} in 20 s`],
        ['lines delivered (all subscribers)', `${formatNumber(result.lines)} of ${formatNumber(written * 100)}`],
        ['line added → subscriber', `p50 ${formatNumber(result.p50)} ms, p95 ${formatNumber(result.p95)} ms, p99 ${formatNumber(result.p99)} ms`],
        ['CPU per second: Gantry and writer process / subscribers process', `${formatNumber(result.serverCpuMs)} / ${formatNumber(result.clientCpuMs)} ms`],
        ['subscriber errors', result.errors.join('; ') || 'none'],
      ],
    );
    return {
      name: 'logs-build-fanout',
      figures: [
        { label: 'build log line → 100 buildLogs subscribers p99', value: result.p99, unit: 'ms', target: 200, detail: `${formatNumber(result.lines)} deliveries, p50 ${formatNumber(result.p50, 0)} ms` },
        { label: 'build log lines lost', value: written * 100 - result.lines, unit: 'lines', target: 0 },
      ],
    };
  } finally {
    log.stop();
    feed.stop();
    await hub.stop();
    await writerDb.close();
    await gantry.close();
    await database.drop();
  }
}

export const logsBuildFanout: Benchmark = { name: 'logs-build-fanout', run: measure, limitMs: 180_000 };
