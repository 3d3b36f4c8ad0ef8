import { and, asc, desc, eq, gt, gte, inArray, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { logCollections, podLogLines, podLogPositions } from '../../db/schema/index.ts';
import { leaseStoreFor } from '../shared/runtime/leases.ts';
import { environmentStream, type LogBatch, type LogLineRow, type LogQuery, type LogStore, type NewPodLogLine, type PodLogPosition } from './store.ts';

const DAY_MS = 86_400_000;
const PARTITION = /^pod_log_lines_(\d{4})(\d{2})(\d{2})$/;

/** The lease store of log collections (one row per environment). */
export const logCollectionLeases = leaseStoreFor(logCollections);

/** `pod_log_lines_20260101`: the partition holding a day (UTC). */
export function partitionOf(day: number): string {
  return `pod_log_lines_${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** `%`, `_` and `\` are LIKE's own: a user's substring is matched literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

type Selected = { environmentId: string; sequence: number; at: Date; pod: string; version: string | null; message: string };

function toRow(row: Selected): LogLineRow {
  return { stream: environmentStream(row.environmentId), sequence: Number(row.sequence), at: row.at, source: row.pod, version: row.version, message: row.message };
}

const COLUMNS = {
  environmentId: podLogLines.environmentId,
  sequence: podLogLines.sequence,
  at: podLogLines.at,
  pod: podLogLines.pod,
  version: podLogLines.version,
  message: podLogLines.message,
};

/**
 * The default log store: PostgreSQL (or PGlite), one table partitioned by day. A write is one
 * statement for every environment of the flush: it advances each environment's counter (fenced
 * by its collection lease) and inserts its lines and its pods' positions from JSON parameters.
 * Retention drops whole partitions.
 */
export class PostgresLogStore implements LogStore {
  /** Days whose partition this process has created or seen (saves a statement per batch). */
  private readonly days = new Set<number>();

  constructor(private readonly db: Database) {}

  async append(batches: readonly LogBatch[]): Promise<(LogLineRow[] | null)[]> {
    if (batches.length === 0) return [];
    await this.ensurePartitions(batches.flatMap((b) => b.lines));
    // Every parameter is one JSON document, so the statement's text is the same whatever the
    // number of environments and lines. Data-modifying CTEs run as one statement, atomically:
    // an environment whose lease fence fails (lease_owner, lease_epoch: what fencedBy() checks)
    // has no counter row, so none of its lines or positions are written.
    const counters = batches.map((b) => ({ e: b.environmentId, n: b.lines.length, o: b.fence.owner, p: b.fence.epoch }));
    const lines = batches.flatMap((b) => b.lines.map((line, i) => ({ e: b.environmentId, i: i + 1, a: line.at.toISOString(), p: line.pod, v: line.version, m: line.message })));
    const positions = batches.flatMap((b) => [...b.positions].map(([pod, position]) => ({ e: b.environmentId, p: pod, t: position.time, c: position.count })));
    const result = await this.db.execute<{ id: string; base: number | string }>(sql`
      with batch as (
        select * from json_to_recordset(${JSON.stringify(counters)}::json) as b(e uuid, n bigint, o text, p integer)
      ), counters as (
        update log_collections c set last_sequence = c.last_sequence + b.n
        from batch b
        where c.id = b.e and c.lease_owner = b.o and c.lease_epoch = b.p
        returning c.id, c.last_sequence - b.n as base
      ), stored_lines as (
        insert into pod_log_lines (environment_id, sequence, at, pod, version, message)
        select r.e, k.base + r.i, r.a, r.p, r.v, r.m
        from json_to_recordset(${JSON.stringify(lines)}::json) as r(e uuid, i bigint, a timestamptz, p text, v text, m text)
        join counters k on k.id = r.e
      ), stored_positions as (
        insert into pod_log_positions (environment_id, pod, last_time, last_count)
        select r.e, r.p, r.t, r.c
        from json_to_recordset(${JSON.stringify(positions)}::json) as r(e uuid, p text, t text, c integer)
        join counters k on k.id = r.e
        on conflict (environment_id, pod) do update set last_time = excluded.last_time, last_count = excluded.last_count, updated_at = now()
      )
      select id, base from counters`);
    const rows = (Array.isArray(result) ? result : (result as { rows: { id: string; base: number | string }[] }).rows) as { id: string; base: number | string }[];
    const bases = new Map(rows.map((r) => [r.id, Number(r.base)]));
    return batches.map((b) => {
      const base = bases.get(b.environmentId);
      if (base === undefined) return null;
      const stream = environmentStream(b.environmentId);
      return b.lines.map((line, i) => ({ stream, sequence: base + i + 1, at: line.at, source: line.pod, version: line.version, message: line.message }));
    });
  }

  async positions(environmentId: string): Promise<Map<string, PodLogPosition>> {
    const rows = await this.db.select().from(podLogPositions).where(eq(podLogPositions.environmentId, environmentId));
    return new Map(rows.map((r) => [r.pod, { time: r.lastTime, count: r.lastCount }]));
  }

  async newest(environmentId: string, query: LogQuery, limit: number): Promise<LogLineRow[]> {
    const where: (SQL | undefined)[] = [eq(podLogLines.environmentId, environmentId)];
    if (query.beforeSequence !== undefined) where.push(lt(podLogLines.sequence, query.beforeSequence));
    if (query.pods) where.push(inArray(podLogLines.pod, [...query.pods]));
    if (query.version !== undefined) where.push(eq(podLogLines.version, query.version));
    if (query.contains) where.push(like(podLogLines.message, `%${escapeLike(query.contains)}%`));
    if (query.since) where.push(gte(podLogLines.at, query.since));
    if (query.until) where.push(lt(podLogLines.at, query.until));
    const rows = await this.db
      .select(COLUMNS)
      .from(podLogLines)
      .where(and(...where))
      .orderBy(desc(podLogLines.sequence))
      .limit(limit);
    return rows.map(toRow);
  }

  async after(environmentId: string, afterSequence: number, limit: number): Promise<LogLineRow[]> {
    const rows = await this.db
      .select(COLUMNS)
      .from(podLogLines)
      .where(and(eq(podLogLines.environmentId, environmentId), gt(podLogLines.sequence, afterSequence)))
      .orderBy(asc(podLogLines.sequence))
      .limit(limit);
    return rows.map(toRow);
  }

  async lastSequence(environmentId: string): Promise<number> {
    const [row] = await this.db.select({ last: logCollections.lastSequence }).from(logCollections).where(eq(logCollections.id, environmentId));
    return Number(row?.last ?? 0);
  }

  async expire(before: Date): Promise<number> {
    const result = await this.db.execute<{ name: string }>(sql`
      select c.relname as name from pg_inherits i
      join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
      where p.relname = 'pod_log_lines'`);
    const rows = (Array.isArray(result) ? result : (result as { rows: { name: string }[] }).rows) as { name: string }[];
    let dropped = 0;
    for (const { name } of rows) {
      const match = PARTITION.exec(name);
      if (!match) continue;
      const dayStart = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
      if (dayStart + DAY_MS > before.getTime()) continue;
      // The name matched the pattern above: safe to put in the statement.
      await this.db.execute(sql.raw(`drop table if exists "${name}"`));
      this.days.delete(dayStart);
      dropped++;
    }
    return dropped;
  }

  /** Creates the day partitions a batch needs (a race with another process is harmless). */
  private async ensurePartitions(lines: readonly NewPodLogLine[]): Promise<void> {
    const needed = new Set<number>();
    for (const line of lines) {
      const day = Math.floor(line.at.getTime() / DAY_MS) * DAY_MS;
      if (!this.days.has(day)) needed.add(day);
    }
    for (const day of needed) {
      const from = new Date(day).toISOString();
      const to = new Date(day + DAY_MS).toISOString();
      const create = sql.raw(`create table if not exists "${partitionOf(day)}" partition of pod_log_lines for values from ('${from}') to ('${to}')`);
      try {
        await this.db.execute(create);
      } catch (error) {
        // Two processes creating the same day at once: one wins, the other sees it exists.
        const failure = error as { code?: string; cause?: { code?: string } };
        const code = failure.code ?? failure.cause?.code;
        if (code !== '42P07' && code !== '23505') throw error;
      }
      this.days.add(day);
    }
  }
}
