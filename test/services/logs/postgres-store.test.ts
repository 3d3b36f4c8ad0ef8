import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../db/client.ts';
import { runMigrations } from '../../../db/migrate.ts';
import { chunkNumbers, PostgresLogStore } from '../../../services/logs/postgres-store.ts';
import type { NewPodLogLine } from '../../../services/logs/store.ts';
import { openTestDatabase } from '../../support/database.ts';

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

describe('the PostgreSQL log store: chunks and contains search', () => {
  let handle: DatabaseHandle;
  let close: () => Promise<void> = async () => {};
  let store: PostgresLogStore;
  const environment = randomUUID();
  const fence = { owner: 'test', epoch: 1 };
  const messages: string[] = []; // messages[sequence - 1]

  /** Every 37th line holds `needle`; sequences 1 … 3,000 in batches of 500. */
  const lineAt = (i: number, start: number): NewPodLogLine => ({
    pod: `pod-${i % 3}`,
    version: 'r1',
    at: new Date(start + i),
    message: i % 37 === 0 ? `request ${i} failed: needle-${i}` : `request ${i} ok`,
  });

  beforeAll(async () => {
    ({ handle, close } = await openTestDatabase());
    await runMigrations(handle);
    const [project, app] = [randomUUID(), randomUUID()];
    for (const statement of [
      sql`insert into projects (id, slug, name) values (${project}, 'logs', 'Logs')`,
      sql`insert into apps (id, project_id, name, language) values (${app}, ${project}, 'shop', 'GO')`,
      sql`insert into environments (id, app_id, app_name, name, cluster, namespace, replicas, router) values (${environment}, ${app}, 'shop', 'prod', 'embedded', 'logs-prod', 1, 'ISTIO')`,
      sql`insert into log_collections (id, lease_owner, lease_epoch, lease_expires_at) values (${environment}, 'test', 1, now() + interval '1 hour')`,
    ])
      await handle.db.execute(statement);
    // Small windows, so a search crosses the direct read and several chunk windows.
    store = new PostgresLogStore(handle.db, { recent: 100, first: 200 });
    const start = Date.now() - 10_000;
    for (let offset = 0; offset < 3_000; offset += 500) {
      const lines = Array.from({ length: 500 }, (_, i) => lineAt(offset + i + 1, start));
      messages.push(...lines.map((l) => l.message));
      const [stored] = await store.append([{ environmentId: environment, lines, positions: new Map(), fence }]);
      expect(stored).toHaveLength(500);
    }
  }, 120_000);

  afterAll(async () => {
    await close();
  });

  it('should cut a batch into runs of up to 128 lines of one day', () => {
    const day = Date.UTC(2026, 0, 2);
    const lines = [...Array.from({ length: 130 }, (_, i) => ({ at: new Date(day - 1_000 + i) })), { at: new Date(day + 5) }] as NewPodLogLine[];
    const numbers = chunkNumbers(lines);
    expect(numbers.slice(0, 128).every((n) => n === 0)).toBe(true);
    expect(numbers.slice(128, 130)).toEqual([1, 1]);
    expect(numbers[130]).toBe(2); // the next day starts a chunk of its own
  });

  it('should store each chunk as its lines joined by newlines, covering every line once', async () => {
    const chunks = rowsOf<{ first_sequence: string; last_sequence: string; body: string }>(
      await handle.db.execute(sql`select first_sequence, last_sequence, body from pod_log_chunks where environment_id = ${environment} order by first_sequence`),
    );
    let next = 1;
    for (const chunk of chunks) {
      const [first, last] = [Number(chunk.first_sequence), Number(chunk.last_sequence)];
      expect(first).toBe(next);
      expect(last - first).toBeLessThan(128);
      expect(chunk.body).toBe(messages.slice(first - 1, last).join('\n'));
      next = last + 1;
    }
    expect(next).toBe(3_001);
  });

  it('should find the newest lines containing a text across every window, and page on without gaps or repeats', async () => {
    const expected = messages
      .map((message, i) => ({ message, sequence: i + 1 }))
      .filter((line) => line.message.includes('failed: needle'))
      .reverse();
    const got: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await store.newest(environment, { contains: 'failed: needle', beforeSequence: before }, 7);
      got.push(...rows.map((r) => r.sequence));
      if (rows.length < 7) break;
      before = rows.at(-1)!.sequence;
    }
    expect(got.slice(0, expected.length)).toEqual(expected.map((l) => l.sequence).slice(0, got.length));
    expect(got.length).toBe(Math.min(expected.length, 70));
  });

  it('should find a text only the oldest lines hold, and nothing for a text no line holds', async () => {
    const oldest = await store.newest(environment, { contains: 'needle-37' }, 5);
    expect(oldest.map((r) => r.message)).toEqual(messages.filter((m) => m.includes('needle-37')).reverse());
    expect(await store.newest(environment, { contains: 'no-such-text' }, 5)).toEqual([]);
  });
});
