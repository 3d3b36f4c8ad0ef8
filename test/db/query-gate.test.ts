import { describe, expect, it } from 'vitest';
import { QueryGate } from '../../db/query-gate.ts';

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
