import { EventEmitter } from 'node:events';
import type { Database } from '../../db/client.ts';
import { findTokensByIds } from '../identity/repository.ts';
import { findRolesOfUser } from '../projects/repository.ts';
import type { Clock } from '../shared/clock.ts';
import { decide, type Principal, type ProjectAction } from './policy.ts';

/**
 * In-process signal that memberships or tokens changed. Long-lived subscriptions re-check their
 * access on it at once; a TTL covers changes made by other Gantry processes.
 */
const changes = new EventEmitter();
changes.setMaxListeners(0);

/** Called by services after they commit a membership or token change. */
export function notifyAccessChanged(): void {
  changes.emit('changed');
}

/**
 * Answers "may this principal still do `action` in the project?" for every event of a
 * subscription, from a cached verdict that is recomputed (from the database, not the request's
 * loaders) after any access change in this process and at least every `ttlMs`.
 */
export class AccessMonitor {
  private verdict: boolean | null = null;
  private checkedAt = 0;
  private inflight: Promise<boolean> | null = null;
  private readonly onChange = () => {
    this.verdict = null;
  };

  constructor(
    private readonly deps: { db: Database; clock: Clock },
    private readonly principal: Principal,
    private readonly projectId: string,
    private readonly action: ProjectAction,
    private readonly ttlMs = 5_000,
  ) {
    changes.on('changed', this.onChange);
  }

  async allowed(): Promise<boolean> {
    if (this.verdict !== null && Date.now() - this.checkedAt < this.ttlMs) return this.verdict;
    this.inflight ??= this.check().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  close(): void {
    changes.off('changed', this.onChange);
  }

  private async check(): Promise<boolean> {
    const [token] = await findTokensByIds(this.deps.db, [this.principal.tokenId]);
    const now = this.deps.clock.now();
    const tokenValid = Boolean(token) && !token!.revokedAt && !(token!.expiresAt && token!.expiresAt <= now);
    let allowed = tokenValid;
    if (tokenValid) {
      const [membership] = await findRolesOfUser(this.deps.db, this.principal.userId, [this.projectId]);
      allowed = decide(this.principal, membership?.role ?? null, this.action) === 'ALLOW';
    }
    this.verdict = allowed;
    this.checkedAt = Date.now();
    return allowed;
  }
}
