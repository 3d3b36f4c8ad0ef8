import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { QueryGate } from '../../db/query-gate.ts';
import { createPostgresDatabase, TEST_DB } from '../support/database.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('QueryGate', () => {
  it('should run at most its size at once and the rest in the order they came', async () => {
    const gate = new QueryGate(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const tasks = Array.from({ length: 40 }, (_, i) =>
      gate.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await tick();
        running -= 1;
        return i;
      }),
    );
    expect(gate.load).toEqual({ active: 3, queued: 37 });
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(gate.load).toEqual({ active: 0, queued: 0 });
  });

  it('should give the permit of a failed task to the next one', async () => {
    const gate = new QueryGate(1);
    const failed = gate.run(async () => {
      await tick();
      throw new Error('statement failed');
    });
    const next = gate.run(async () => 'ran');
    await expect(failed).rejects.toThrow('statement failed');
    expect(await next).toBe('ran');
    expect(gate.load).toEqual({ active: 0, queued: 0 });
  });

  it('should keep its queue bounded by what waits, through a long saturation', async () => {
    const gate = new QueryGate(2);
    // 5,000 tasks through a gate of 2: the waiting list is compacted as it goes, never kept whole.
    const tasks = Array.from({ length: 5000 }, () => gate.run(async () => undefined));
    await Promise.all(tasks);
    expect(gate.load).toEqual({ active: 0, queued: 0 });
    // Without compaction the list would still hold all 4,998 that ever waited.
    expect((gate as unknown as { waiting: unknown[] }).waiting.length).toBeLessThanOrEqual(2048);
  });
});

describe('the database client behind the gate', () => {
  it('should answer many more concurrent statements and transactions than it has connections', async () => {
    const pg = TEST_DB === 'postgres' ? await createPostgresDatabase() : null;
    const handle = await openDatabase({ url: pg?.url, dataDir: 'memory://', maxConnections: 2 });
    try {
      const reads = Array.from({ length: 30 }, (_, i) => handle.db.execute(sql`select ${i}::int as n, pg_sleep(0.01)`));
      const transactions = Array.from({ length: 5 }, (_, i) => handle.db.transaction(async (tx) => tx.execute(sql`select ${i}::int as n`)));
      const rows = (result: unknown) => (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
      expect((await Promise.all(reads)).map((r) => rows(r)[0]!.n)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect((await Promise.all(transactions)).map((r) => rows(r)[0]!.n)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await handle.close();
      await pg?.drop();
    }
  });
});
