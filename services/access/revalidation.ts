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
/** Share of a verdict's life after which it is refreshed ahead of need. */
const REFRESH_AHEAD = 0.75;
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

  /**
   * The verdict if it is fresh enough to use without checking, else null (call `allowed`).
   * Past three quarters of its life a verdict is refreshed in the background, so subscriptions
   * with events flowing never wait for the database on the delivery path.
   */
  current(): boolean | null {
    if (this.verdict === null) return null;
    const age = Date.now() - this.checkedAt;
    if (age >= this.ttlMs * REFRESH_AHEAD && !this.inflight) void this.revalidate(this.ttlMs * REFRESH_AHEAD).catch(() => {});
    return age < this.ttlMs ? this.verdict : null;
  }

  async allowed(): Promise<boolean> {
    return this.current() ?? this.revalidate(this.ttlMs);
  }

  /**
   * A verdict at most `maxAgeMs` old: one shared by another subscription of the token, or a new
   * check. An answer whose check began before an access change is never used: it asks again.
   */
  private async revalidate(maxAgeMs: number): Promise<boolean> {
    const key = `${this.principal.tokenId}:${this.projectId}:${this.action}`;
    const startedIn = generation;
    const cached = shared.get(key);
    if (cached && !(cached instanceof Promise) && Date.now() - cached.checkedAt < maxAgeMs) return this.adopt(cached.verdict, cached.checkedAt);
    const checkedAt = Date.now();
    let pending = cached instanceof Promise ? cached : null;
    if (!pending) {
      pending = this.check();
      shared.set(key, pending);
    }
    this.inflight = pending;
    let verdict: boolean;
    try {
      verdict = await pending;
    } finally {
      if (this.inflight === pending) this.inflight = null;
      if (shared.get(key) === pending) shared.delete(key);
    }
    if (generation !== startedIn) return this.revalidate(maxAgeMs);
    shared.set(key, { verdict, checkedAt });
    return this.adopt(verdict, checkedAt);
  }

  /** Takes a verdict checked at `checkedAt`: its age counts from the check, not from now. */
  private adopt(verdict: boolean, checkedAt: number): boolean {
    this.verdict = verdict;
    this.checkedAt = checkedAt;
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
