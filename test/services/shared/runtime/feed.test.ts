import { describe, expect, it } from 'vitest';
import { FeedHub } from '../../../../services/shared/runtime/feed.ts';

interface Row {
  sequence: number;
}

/**
 * FeedHub is generic over where rows come from; here they come from an array, so the order,
 * catch-up and sharing rules can be checked exactly. (The database-backed feeds are tested
 * through releaseProgress and test/db/runtime.test.ts.)
 */
function aLog() {
  const rows: Row[] = [];
  const listeners = new Set<(id: string) => void>();
  let loads = 0;
  const hub = new FeedHub<Row>({
    bus: { subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) },
    load: async (_key, after, limit) => {
      loads += 1;
      return rows.filter((r) => r.sequence > after).slice(0, limit);
    },
    sequenceOf: (r) => r.sequence,
    keep: 5,
  });
  return {
    hub,
    append(n: number) {
      for (let i = 0; i < n; i++) rows.push({ sequence: rows.length + 1 });
      for (const l of listeners) l('k');
    },
    get loads() {
      return loads;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const sequences = (batches: readonly (readonly Row[])[]) => batches.flat().map((r) => r.sequence);

describe('FeedHub: replayable, gapless feeds shared by every listener of a key', () => {
  it('should deliver the log from the cursor, then every new row once and in order', async () => {
    const log = aLog();
    log.append(3);
    const got: Row[][] = [];
    log.hub.listen('k', 1, (rows) => got.push([...rows]));
    await settle();
    log.append(2);
    await settle();
    expect(sequences(got)).toEqual([2, 3, 4, 5]);
  });

  it('should read a change once for all listeners of a key, not once per listener', async () => {
    const log = aLog();
    const got = Array.from({ length: 50 }, () => [] as Row[][]);
    got.forEach((g) => log.hub.listen('k', 0, (rows) => g.push([...rows])));
    await settle();
    const before = log.loads;
    log.append(1);
    await settle();
    expect(log.loads - before).toBe(1);
    for (const g of got) expect(sequences(g)).toEqual([1]);
  });

  it('should let a listener behind the rows kept in memory catch up from the source without gaps or repeats', async () => {
    const log = aLog();
    log.hub.listen('k', 0, () => {});
    log.append(12); // only the last 5 stay in memory
    await settle();
    const late: Row[][] = [];
    log.hub.listen('k', 2, (rows) => late.push([...rows]));
    await settle();
    log.append(2);
    await settle();
    expect(sequences(late)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('should stop delivering once the listener stops', async () => {
    const log = aLog();
    const got: Row[][] = [];
    const stop = log.hub.listen('k', 0, (rows) => got.push([...rows]));
    log.append(1);
    await settle();
    stop();
    log.append(1);
    await settle();
    expect(sequences(got)).toEqual([1]);
  });
});
