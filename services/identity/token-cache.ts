import { backgroundHandle, type Database } from '../../db/client.ts';
import { onAccessChanged } from '../access/revalidation.ts';
import type { Principal } from '../access/policy.ts';
import { touchTokens } from './repository.ts';

/**
 * Verified tokens, so a request does not start with a statement: a bounded map from token hash
 * to its principal and expiry, kept for a short TTL. A revocation (or any access change) empties
 * it at once in the process that made it, and in every other process through the
 * `access` topic of the NOTIFY hub (services/shared/notify.ts); the TTL bounds how long a lost
 * notification could keep a revoked token working.
 */
export const TOKEN_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  expiresAt: Date | null;
  cachedAt: number;
}

class TokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped on every access change: a lookup that started before one is not cached. */
  generation = 0;

  constructor() {
    onAccessChanged(() => {
      this.generation += 1;
      this.entries.clear();
    });
  }

  get(hash: string, now: number): Entry | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (now - entry.cachedAt >= TOKEN_CACHE_TTL_MS) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry;
  }

  set(hash: string, entry: Entry): void {
    // Oldest first in a Map: past the bound, drop the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, entry);
  }
}

/**
 * `api_tokens.last_used_at`, written off the request path: uses are collected and written in one
 * statement per flush, at most once per `resolutionMs` per token.
 */
class TokenUse {
  private readonly pending = new Map<string, Date>();
  private readonly written = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly resolutionMs: number,
  ) {}

  record(tokenId: string, at: Date): void {
    const last = this.written.get(tokenId);
    if (last !== undefined && at.getTime() - last < this.resolutionMs) return;
    this.written.set(tokenId, at.getTime());
    if (this.written.size > MAX_ENTRIES) this.written.delete(this.written.keys().next().value!);
    this.pending.set(tokenId, at);
    this.timer ??= setTimeout(() => void this.flush().catch(() => {}), 1_000).unref();
  }

  /** Writes what was recorded (uses within one flush share its latest time). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    const at = batch.reduce((latest, [, when]) => (when > latest ? when : latest), batch[0]![1]);
    await touchTokens(this.db, batch.map(([id]) => id), at, this.resolutionMs);
  }
}

const caches = new WeakMap<Database, TokenCache>();
const uses = new WeakMap<Database, TokenUse>();

/** The token cache of a database (one per process and database). */
export function tokenCacheOf(db: Database): TokenCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new TokenCache()));
  return cache;
}

/** The last-used recorder of a database. */
export function tokenUseOf(db: Database, resolutionMs: number): TokenUse {
  let use = uses.get(db);
  // Written after the requests that used the tokens: background statements, not theirs.
  if (!use) uses.set(db, (use = new TokenUse(backgroundHandle(db), resolutionMs)));
  return use;
}

/** Writes pending `last_used_at` values now (at shutdown). */
export async function flushTokenUse(db: Database): Promise<void> {
  await uses.get(db)?.flush();
}
