import { and, asc, desc, eq, gt, gte, inArray, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { logCollections, podLogLines, podLogPositions } from '../../db/schema/index.ts';
import { leaseStoreFor } from '../shared/runtime/leases.ts';
import { environmentStream, type LogLineRow, type LogQuery, type LogStore, type NewPodLogLine, type PodLogPosition } from './store.ts';

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
 * The default log store: PostgreSQL (or PGlite), one table partitioned by day. A batch is one
 * multi-row INSERT from a JSON parameter (one statement, one parameter, whatever its size), in
 * the transaction that advances the environment's counter (fenced by the collection lease) and
 * the pods' positions. Retention drops whole partitions.
 */
export class PostgresLogStore implements LogStore {
  /** Days whose partition this process has created or seen (saves a statement per batch). */
  private readonly days = new Set<number>();

  constructor(private readonly db: Database) {}

  async append(environmentId: string, lines: readonly NewPodLogLine[], positions: ReadonlyMap<string, PodLogPosition>, fence: { owner: string; epoch: number }): Promise<LogLineRow[] | null> {
    await this.ensurePartitions(lines);
    return this.db.transaction(async (tx) => {
      const [counter] = await tx
        .update(logCollections)
        .set({ lastSequence: sql`${logCollections.lastSequence} + ${lines.length}` })
        .where(and(eq(logCollections.id, environmentId), logCollectionLeases.fencedBy(fence)))
        .returning({ last: logCollections.lastSequence });
      if (!counter) return null;
      const first = Number(counter.last) - lines.length + 1;
      const rows = lines.map((line, i) => ({ s: first + i, a: line.at.toISOString(), p: line.pod, v: line.version, m: line.message }));
      if (rows.length > 0) {
        await tx.execute(sql`
          insert into pod_log_lines (environment_id, sequence, at, pod, version, message)
          select ${environmentId}::uuid, r.s, r.a, r.p, r.v, r.m
          from json_to_recordset(${JSON.stringify(rows)}::json) as r(s bigint, a timestamptz, p text, v text, m text)`);
      }
      if (positions.size > 0) {
        const values = [...positions].map(([pod, position]) => ({ environmentId, pod, lastTime: position.time, lastCount: position.count }));
        await tx
          .insert(podLogPositions)
          .values(values)
          .onConflictDoUpdate({
            target: [podLogPositions.environmentId, podLogPositions.pod],
            set: { lastTime: sql`excluded.last_time`, lastCount: sql`excluded.last_count`, updatedAt: sql`now()` },
          });
      }
      return lines.map((line, i) => ({ stream: environmentStream(environmentId), sequence: first + i, at: line.at, source: line.pod, version: line.version, message: line.message }));
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
