import { and, asc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { integer, text, timestamp, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../../../db/client.ts';

/**
 * The columns that make a table's rows leasable work items: spread into a `pgTable` definition.
 * `settled_at` null means "work to do"; `lease_owner`/`lease_expires_at` say which process drives
 * the row until when; `lease_epoch` grows at every change of owner and fences stale writers.
 */
export function leaseColumns() {
  return {
    settledAt: timestamp('settled_at', { withTimezone: true }),
    leaseOwner: text('lease_owner'),
    leaseEpoch: integer('lease_epoch').notNull().default(0),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
  };
}

/** A table carrying {@link leaseColumns} and a uuid/text `id`, as drizzle exposes it. */
export type LeasedTable = PgTable & {
  id: PgColumn;
  settledAt: PgColumn;
  leaseOwner: PgColumn;
  leaseEpoch: PgColumn;
  leaseExpiresAt: PgColumn;
};

/** Who holds a lease, at which epoch: what every fenced write names. */
export interface LeaseFence {
  owner: string;
  epoch: number;
}

/** Lease operations on one table, each a single statement. */
export interface LeaseStore {
  /** Ids of the unsettled rows, oldest first: the work list every process scans each tick. */
  unsettled(tx: Tx): Promise<string[]>;
  /**
   * Takes or renews the leases of `ids` this owner may hold (free, already its own, or expired).
   * Taking over from another owner bumps the epoch.
   * @returns the epoch of each id now leased to `owner`.
   */
  acquire(tx: Tx, ids: readonly string[], owner: string, ttlMs: number): Promise<Map<string, number>>;
  /** Gives a lease back (clean shutdown), so another process takes over at once. */
  release(tx: Tx, id: string, owner: string): Promise<void>;
  /** Marks the row settled, if `fence` still holds its lease. @returns whether it did. */
  settle(tx: Tx, id: string, at: Date, fence: LeaseFence): Promise<boolean>;
  /** The WHERE condition of a fenced write: the row is still leased to `fence`. */
  fencedBy(fence: LeaseFence): SQL;
}

/**
 * The lease store of `table`. `orderBy` sets the work list's order (default: id).
 * The casts below are the one place where the generic table meets drizzle's per-table types:
 * every property named exists on a {@link LeasedTable}.
 */
export function leaseStoreFor(table: LeasedTable, orderBy: PgColumn = table.id): LeaseStore {
  const update = (tx: Tx, values: Record<string, unknown>) => tx.update(table).set(values as never);
  const fencedBy = (fence: LeaseFence) => and(eq(table.leaseOwner, fence.owner), eq(table.leaseEpoch, fence.epoch))!;
  return {
    async unsettled(tx) {
      const rows: { id: unknown }[] = await tx.select({ id: table.id }).from(table as never).where(isNull(table.settledAt)).orderBy(asc(orderBy));
      return rows.map((r) => String(r.id));
    },
    async acquire(tx, ids, owner, ttlMs) {
      if (ids.length === 0) return new Map();
      const rows = await update(tx, {
        leaseOwner: owner,
        leaseExpiresAt: sql`now() + (${ttlMs} * interval '1 millisecond')`,
        leaseEpoch: sql`case when ${table.leaseOwner} = ${owner} then ${table.leaseEpoch} else ${table.leaseEpoch} + 1 end`,
      })
        .where(
          and(
            inArray(table.id, [...ids]),
            isNull(table.settledAt),
            or(isNull(table.leaseOwner), eq(table.leaseOwner, owner), lt(table.leaseExpiresAt, sql`now()`)),
          ),
        )
        .returning({ id: table.id, epoch: table.leaseEpoch });
      return new Map(rows.map((r) => [String(r.id), Number(r.epoch)]));
    },
    async release(tx, id, owner) {
      await update(tx, { leaseOwner: null, leaseExpiresAt: null }).where(and(eq(table.id, id), eq(table.leaseOwner, owner)));
    },
    async settle(tx, id, at, fence) {
      const rows = await update(tx, { settledAt: at, leaseOwner: null, leaseExpiresAt: null })
        .where(and(eq(table.id, id), fencedBy(fence)))
        .returning({ id: table.id });
      return rows.length > 0;
    },
    fencedBy,
  };
}
