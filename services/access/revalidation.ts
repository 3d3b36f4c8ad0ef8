import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Database } from '../../db/client.ts';
import DataLoader from 'dataloader';
import { findTokensByIds } from '../identity/repository.ts';
import { findRolesOfUsers } from '../projects/repository.ts';
import type { Clock } from '../shared/clock.ts';
import { notFound, unavailable, type DomainError } from '../shared/errors.ts';
import { notifyStatement, type NotifyHub } from '../shared/notify.ts';
import { decide, type Principal, type ProjectAction } from './policy.ts';

/**
 * Signal that memberships or tokens changed. Long-lived subscriptions re-check their access on
 * it at once, and verified tokens are forgotten (services/identity/token-cache.ts). Other
 * Gantry processes hear of it through the `access` topic of the NOTIFY hub; TTLs cover a lost one.
 */
const changes = new EventEmitter();
changes.setMaxListeners(0);
const ACCESS_TOPIC = 'access';
/** Tells this process's own notifications from other processes'. */
const PROCESS_ID = randomUUID();

/**
 * Verdicts shared by every subscription of the same token on the same project and action: a
 * user with a hundred open subscriptions costs one check per TTL, not a hundred.
 */
const shared = new Map<string, { verdict: boolean; checkedAt: number } | Promise<boolean>>();
/** Share of a verdict's life after which it is refreshed ahead of need. */
const REFRESH_AHEAD = 0.75;
/** Bumped on every change: a check that started before it must not be shared after it. */
let generation = 0;

/** Called by services after they commit a membership or token change: this process at once, the others through NOTIFY. */
export function notifyAccessChanged(db: Database): void {
  accessChangedHere();
  void db.execute(notifyStatement(ACCESS_TOPIC, PROCESS_ID)).catch(() => {});
}

function accessChangedHere(): void {
  generation += 1;
  shared.clear();
  changes.emit('changed');
}

/** Runs `listener` after every access change, in this process or (through NOTIFY) another. */
export function onAccessChanged(listener: () => void): () => void {
  changes.on('changed', listener);
  return () => changes.off('changed', listener);
}

/** Hears other processes' access changes; returns the function that stops listening. */
export function listenForAccessChanges(hub: NotifyHub): () => void {
  return hub.on(ACCESS_TOPIC, (sender) => {
    if (sender !== PROCESS_ID) accessChangedHere();
  });
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

  private check(): Promise<boolean> {
    return checksOf(this.deps).load({ principal: this.principal, projectId: this.projectId, action: this.action });
  }

}

/**
 * A subscription's delivery behind its access check: each value is handed to `deliver` only
 * while the principal still has access, in the order given. On a refusal `end` gets NOT_FOUND
 * for `what` (as if it had never existed); when access cannot be checked (the database is
 * unreachable) an INTERNAL_SERVER_ERROR: either way the stream ends, since nothing may go out unchecked, and a client that resumes
 * later (releaseProgress takes a cursor) loses nothing. With a fresh verdict and nothing
 * queued the value goes through at once: a thousand subscribers should not each wait a round
 * of promises per event.
 */
export function deliverWhileAllowed<T>(access: AccessMonitor, what: string, deliver: (value: T) => void, end: (error: DomainError) => void): (value: T) => void {
  let queued: Promise<void> | null = null;
  return (value) => {
    if (queued === null && access.current() === true) return deliver(value);
    const next: Promise<void> = (queued ?? Promise.resolve()).then(async () => {
      let allowed: boolean;
      try {
        allowed = await access.allowed();
      } catch {
        return end(unavailable('The access check'));
      }
      if (allowed) deliver(value);
      else end(notFound(what));
    });
    queued = next;
    void next.finally(() => {
      if (queued === next) queued = null;
    });
  };
}

interface CheckRequest {
  principal: Principal;
  projectId: string;
  action: ProjectAction;
}

/**
 * Access checks of one database, batched per tick: when a release event reaches the
 * subscriptions of 250 users whose verdicts all ran out during a quiet gate, their checks are
 * two queries, not 500 queued on the delivery path. Not cached: the monitors cache verdicts.
 */
const checkers = new WeakMap<Database, DataLoader<CheckRequest, boolean>>();

function checksOf(deps: { db: Database; clock: Clock }): DataLoader<CheckRequest, boolean> {
  let loader = checkers.get(deps.db);
  if (!loader) {
    loader = new DataLoader<CheckRequest, boolean>((requests) => checkAll(deps, requests), { cache: false, maxBatchSize: 500 });
    checkers.set(deps.db, loader);
  }
  return loader;
}

async function checkAll(deps: { db: Database; clock: Clock }, requests: readonly CheckRequest[]): Promise<boolean[]> {
  const unique = <T>(values: T[]) => [...new Set(values)];
  const tokens = await findTokensByIds(deps.db, unique(requests.map((r) => r.principal.tokenId)));
  const now = deps.clock.now();
  const valid = new Set(tokens.filter((t) => !t.revokedAt && !(t.expiresAt && t.expiresAt <= now)).map((t) => t.id));
  const asking = requests.filter((r) => valid.has(r.principal.tokenId));
  const members = asking.length
    ? await findRolesOfUsers(deps.db, unique(asking.map((r) => r.principal.userId)), unique(asking.map((r) => r.projectId)))
    : [];
  const roles = new Map(members.map((m) => [`${m.userId}:${m.projectId}`, m.role]));
  return requests.map((r) => valid.has(r.principal.tokenId) && decide(r.principal, roles.get(`${r.principal.userId}:${r.projectId}`) ?? null, r.action) === 'ALLOW');
}
