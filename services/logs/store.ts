/**
 * The log store port: where collected pod log lines go and how they are searched. Gantry ships
 * one implementation, on the PostgreSQL it already uses (postgres-store.ts); the README says how
 * a Loki or ClickHouse backend plugs in. Lines come back as `LogLineRow`s of the stream
 * `environment:<id>`, the shape every log in the API shares (so `LogLine.cursor` works as for
 * builds and cron runs).
 */
import type { LogLineRow } from '../shared/runtime/log-lines.ts';
import type { LeaseFence } from '../shared/runtime/leases.ts';
import type { PodLogPosition } from '../cluster/directory.ts';

export type { LogLineRow, PodLogPosition };

/** A line as the collector hands it over. */
export interface NewPodLogLine {
  pod: string;
  version: string | null;
  at: Date;
  message: string;
}

/** What a history query narrows to; `contains` is a plain case-sensitive substring. */
export interface LogQuery {
  pods?: readonly string[] | undefined;
  version?: string | undefined;
  contains?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only lines before this one (a cursor's sequence). */
  beforeSequence?: number | undefined;
}

/** One environment's share of a write: its next lines and its pods' positions after them. */
export interface LogBatch {
  environmentId: string;
  lines: readonly NewPodLogLine[];
  positions: ReadonlyMap<string, PodLogPosition>;
  /** The environment's collection lease as this process holds it. */
  fence: LeaseFence;
}

export interface LogStore {
  /**
   * Appends each batch's `lines` (in order) as its environment's next lines and records its
   * pods' positions, atomically, for every batch whose `fence` still holds the environment's
   * collection lease. One call carries every environment the process collects (one write per
   * flush, not one per environment).
   * @returns per batch, in order: the stored rows, or null when its lease is lost (nothing of it was written).
   */
  append(batches: readonly LogBatch[]): Promise<(LogLineRow[] | null)[]>;
  /** Where collection of each pod of the environment stands. */
  positions(environmentId: string): Promise<Map<string, PodLogPosition>>;
  /** Lines matching `query`, newest first, at most `limit`. */
  newest(environmentId: string, query: LogQuery, limit: number): Promise<LogLineRow[]>;
  /** Lines after `afterSequence`, oldest first, at most `limit`: what live tails read. */
  after(environmentId: string, afterSequence: number, limit: number): Promise<LogLineRow[]>;
  /** The sequence of the environment's newest line (0 for none): where a tail "from now" starts. */
  lastSequence(environmentId: string): Promise<number>;
  /** Drops every line older than `before`, in bulk (whole days); returns how many days went. */
  expire(before: Date): Promise<number>;
}

/** The stream name of an environment's pod logs: what cursors of its lines carry. */
export function environmentStream(environmentId: string): string {
  return `environment:${environmentId}`;
}
