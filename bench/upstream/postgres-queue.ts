/**
 * Minimal reproduction for postgres.js (3.4.x) `src/queue.js`, to file upstream: a queue that
 * never drains keeps every shifted slot as a hole (`xs[index - 1] = undefined`) and is only reset
 * when it empties, so under sustained saturation (more queries in flight than connections, all
 * the time) its array grows without bound, and `remove()` (indexOf + splice, used when a query
 * is cancelled or its connection is replaced) gets slower with it.
 * Run: `npx tsx bench/upstream/postgres-queue.ts`. It uses the package's own queue module.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The package exports only its entry point: reach its queue module beside it.
const require = createRequire(import.meta.url);
const Queue = require(join(dirname(require.resolve('postgres')), 'queue.js')) as (initial?: unknown[]) => {
  length: number;
  push(x: unknown): unknown;
  shift(): unknown;
  remove(x: unknown): unknown;
};

const queue = Queue();
const backlog = 100; // queries always waiting: a saturated pool
for (let i = 0; i < backlog; i++) queue.push({ i });
let pairs = 0;
for (const target of [1e3, 1e5, 1e6, 3e6]) {
  // Steady state: one query leaves, one arrives; the queue's length never changes.
  for (; pairs < target; pairs++) {
    queue.shift();
    queue.push({ pairs });
  }
  // 200 cancellations of the newest query (remove + push back): their cost follows the holes.
  const started = performance.now();
  for (let k = 0; k < 200; k++) {
    const probe = queue.push({ probe: k });
    queue.remove(probe);
  }
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(`after ${pairs.toLocaleString('en-US')} shift/push pairs: length ${queue.length}, remove() ${((performance.now() - started) / 200).toFixed(3)} ms each, heap ${heap.toFixed(0)} MiB`);
}
