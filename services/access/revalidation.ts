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

/**
 * Verdicts shared by every subscription of the same token on the same project and action: a
 * user with a hundred open subscriptions costs one check per TTL, not a hundred.
 */
const shared = new Map<string, { verdict: boolean; checkedAt: number } | Promise<boolean>>();
/** Bumped on every change: a check that started before it must not be shared after it. */
let generation = 0;

/** Called by services after they commit a membership or token change. */
export function notifyAccessChanged(): void {
  generation += 1;
  shared.clear();
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

  /** The verdict if it is fresh enough to use without checking, else null (call `allowed`). */
  current(): boolean | null {
    return this.verdict !== null && Date.now() - this.checkedAt < this.ttlMs ? this.verdict : null;
  }

  async allowed(): Promise<boolean> {
    if (this.verdict !== null && Date.now() - this.checkedAt < this.ttlMs) return this.verdict;
    const key = `${this.principal.tokenId}:${this.projectId}:${this.action}`;
    const cached = shared.get(key);
    if (cached instanceof Promise) return this.adopt(await cached);
    if (cached && Date.now() - cached.checkedAt < this.ttlMs) return this.adopt(cached.verdict);
    const startedIn = generation;
    this.inflight ??= this.check().finally(() => {
      this.inflight = null;
    });
    shared.set(key, this.inflight);
    const verdict = await this.inflight;
    if (generation === startedIn) shared.set(key, { verdict, checkedAt: this.checkedAt });
    else shared.delete(key);
    return verdict;
  }

  private adopt(verdict: boolean): boolean {
    this.verdict = verdict;
    this.checkedAt = Date.now();
    return verdict;
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

/**
 * A subscription's delivery behind its access check: each value is handed to `deliver` only
 * while the principal still has access, in the order given; on a refusal `denied` runs instead
 * (it ends the stream). With a fresh verdict and nothing queued the value goes through at once:
 * a thousand subscribers should not each wait a round of promises per event.
 */
export function deliverWhileAllowed<T>(access: AccessMonitor, deliver: (value: T) => void, denied: () => void): (value: T) => void {
  let queued: Promise<void> | null = null;
  return (value) => {
    if (queued === null && access.current() === true) return deliver(value);
    const next: Promise<void> = (queued ?? Promise.resolve()).then(async () => {
      if (await access.allowed()) deliver(value);
      else denied();
    });
    queued = next;
    void next.finally(() => {
      if (queued === next) queued = null;
    });
  };
}
