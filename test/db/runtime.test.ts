import { sql } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { NotifyHub } from '../../services/shared/notify.ts';
import { leaseColumns, leaseStoreFor } from '../../services/shared/runtime/leases.ts';
import { appendLogLines, LogLineFeed, MAX_LOG_MESSAGE, pageLogLines, type LogLineRow } from '../../services/shared/runtime/log-lines.ts';
import { LeasedWorker, type LeasedJob } from '../../services/shared/runtime/worker.ts';
import { openTestDatabase } from '../support/database.ts';
import { eventually } from '../support/cluster.ts';

/** A table of the shape every leased domain table has (builds, cron runs …), for this test only. */
const jobs = pgTable('runtime_test_jobs', { id: text('id').primaryKey(), ...leaseColumns() });
const store = leaseStoreFor(jobs);
const silent = pino({ level: 'silent' });

describe('the shared runtime on a real database: leases, workers and log streams', () => {
  let handle: DatabaseHandle;
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    ({ handle, close } = await openTestDatabase());
    await runMigrations(handle);
    await handle.db.execute(
      sql.raw(`create table runtime_test_jobs (id text primary key, settled_at timestamptz, lease_owner text,
        lease_epoch integer not null default 0, lease_expires_at timestamptz)`),
    );
  }, 120_000);

  afterAll(async () => {
    await close();
  });

  const aWorker = (runs: Map<string, string[]>, settleAfter: number, ttl = 400) => {
    const worker: LeasedWorker = new LeasedWorker({
      kind: 'job',
      db: handle.db,
      logger: silent,
      leases: store,
      tickMs: 50,
      leaseTtlMs: ttl,
      reconcile: async (job: LeasedJob) => {
        const seen = runs.get(job.id) ?? [];
        seen.push(`${worker.owner}@${job.epoch}`);
        runs.set(job.id, seen);
        if (seen.length < settleAfter) return 'done';
        return (await store.settle(handle.db, job.id, new Date(), job)) ? 'settled' : 'lost';
      },
    });
    return worker;
  };

  it('should drive every job in exactly one of two competing processes until it settles', async () => {
    await handle.db.insert(jobs).values(['a', 'b', 'c', 'd'].map((id) => ({ id })));
    const runs = new Map<string, string[]>();
    const workers = [aWorker(runs, 3, 5_000), aWorker(runs, 3, 5_000)];
    workers.forEach((w) => w.start());
    await eventually(async () => (await store.unsettled(handle.db)).length === 0, 10_000, 'every job settled');
    await Promise.all(workers.map((w) => w.stop()));
    for (const id of ['a', 'b', 'c', 'd']) expect(new Set(runs.get(id)).size, `${id} driven by one owner at one epoch`).toBe(1);
  });

  it('should let another process take over a job whose owner stopped renewing, at a higher epoch that fences the old owner', async () => {
    await handle.db.insert(jobs).values({ id: 'crashy' });
    const runs = new Map<string, string[]>();
    const first = aWorker(runs, 1_000_000, 300);
    first.start();
    await eventually(() => first.driving.includes('crashy'), 5_000, 'the first worker driving');
    await first.stop({ releaseLeases: false }); // as if killed: the lease stays until it expires
    const oldEpoch = Number(runs.get('crashy')![0]!.split('@')[1]);
    const second = aWorker(runs, 1, 300);
    second.start();
    await eventually(async () => !(await store.unsettled(handle.db)).includes('crashy'), 5_000, 'the job settled by the second');
    await second.stop();
    const epochs = runs.get('crashy')!.map((r) => Number(r.split('@')[1]));
    expect(Math.max(...epochs)).toBe(oldEpoch + 1);
    expect(await store.settle(handle.db, 'crashy', new Date(), { owner: first.owner, epoch: oldEpoch })).toBe(false);
  });

  it('should number appended lines 1, 2, 3 … per stream and page them both ways with cursors of that stream only', async () => {
    const rows = await handle.db.transaction((tx) =>
      appendLogLines(tx, 'build:one', [
        { source: 'prepare', message: 'first' },
        { source: 'prepare', message: 'nul\u0000inside' },
        { source: 'build', message: 'x'.repeat(MAX_LOG_MESSAGE + 10) },
      ]),
    );
    await handle.db.transaction((tx) => appendLogLines(tx, 'build:two', [{ source: 'build', message: 'other' }]));
    expect(rows.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(rows[1]!.message).toBe('nul\uFFFDinside');
    expect(rows[2]!.message.length).toBe(MAX_LOG_MESSAGE);
    expect(rows[2]!.message.endsWith('…[truncated]')).toBe(true);

    const page1 = await pageLogLines(handle.db, 'build:one', { first: 2 });
    expect(page1.nodes.map((n) => n.message.slice(0, 5))).toEqual(['first', 'nul\uFFFDi']);
    expect(page1).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const page2 = await pageLogLines(handle.db, 'build:one', { first: 2, after: page1.pageInfo.endCursor });
    expect(page2.nodes.map((n) => n.sequence)).toEqual([3]);
    const newest = await pageLogLines(handle.db, 'build:one', { first: 2, newestFirst: true });
    expect(newest.nodes.map((n) => n.sequence)).toEqual([3, 2]);
    await expect(pageLogLines(handle.db, 'build:two', { after: page1.pageInfo.endCursor })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(pageLogLines(handle.db, 'build:one', { first: -1 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('should hand a live reader every line appended after its cursor, once and in order', async () => {
    const hub = new NotifyHub(handle);
    await hub.start();
    const feed = new LogLineFeed(handle.db, hub);
    feed.start();
    await feed.append('cron-run:x', [{ source: 'pod-1', message: 'before' }]);
    const got: LogLineRow[] = [];
    const stop = feed.listen('cron-run:x', 0, (rows) => got.push(...rows));
    for (let i = 0; i < 5; i++) await feed.append('cron-run:x', [{ source: 'pod-1', message: `line ${i}` }]);
    await eventually(() => got.length === 6, 5_000, 'six lines');
    stop();
    feed.stop();
    await hub.stop();
    expect(got.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(got.map((r) => r.message)).toEqual(['before', 'line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  });
});
