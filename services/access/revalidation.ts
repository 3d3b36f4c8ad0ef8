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

/** Share of a verdict's life after which it is refreshed ahead of need. */
const REFRESH_AHEAD = 0.75;
/** Bumped on every change: a check that started before it must not be used after it. */
let generation = 0;
/** The default life of a verdict. */
const DEFAULT_TTL_MS = 5_000;

/**
 * The verdict of one token on one project and action, shared by every subscription that asks
 * it (per database): a user with a hundred open subscriptions costs one check per TTL, not a
 * hundred, and 5,000 subscriptions of one token hold one verdict, not 5,000 copies of it, each
 * with its own listener for access changes. Lives while a monitor holds it.
 */
class Verdict {
  verdict: boolean | null = null;
  checkedAt = 0;
  inflight: Promise<boolean> | null = null;
  holders = 0;

  constructor(
    readonly deps: { db: Database; clock: Clock },
    readonly principal: Principal,
    readonly projectId: string,
    readonly action: ProjectAction,
    readonly key: string,
  ) {}

  /** A verdict at most `maxAgeMs` old: the one held, the check under way, or a new check. */
  revalidate(maxAgeMs: number): Promise<boolean> {
    if (this.verdict !== null && Date.now() - this.checkedAt < maxAgeMs) return Promise.resolve(this.verdict);
    return (this.inflight ??= this.check());
  }

  /** Checks until an answer comes back with no access change during its check (that one is never used). */
  private async check(): Promise<boolean> {
    try {
      for (;;) {
        const startedIn = generation;
        const checkedAt = Date.now();
        const verdict = await checksOf(this.deps).load({ principal: this.principal, projectId: this.projectId, action: this.action });
        if (generation !== startedIn) continue;
        this.verdict = verdict;
        this.checkedAt = checkedAt;
        return verdict;
      }
    } finally {
      this.inflight = null;
    }
  }
}

/** Held verdicts by database, then by token, project and action. */
const verdicts = new WeakMap<Database, Map<string, Verdict>>();
/** Every held verdict, for access changes and the refresher. */
const held = new Set<Verdict>();

function holdVerdict(deps: { db: Database; clock: Clock }, principal: Principal, projectId: string, action: ProjectAction): Verdict {
  let ofDb = verdicts.get(deps.db);
  if (!ofDb) verdicts.set(deps.db, (ofDb = new Map()));
  const key = `${principal.tokenId}:${projectId}:${action}`;
  let verdict = ofDb.get(key);
  if (!verdict) {
    ofDb.set(key, (verdict = new Verdict(deps, principal, projectId, action, key)));
    held.add(verdict);
    startRefresher();
  }
  verdict.holders += 1;
  return verdict;
}

function releaseVerdict(verdict: Verdict): void {
  verdict.holders -= 1;
  if (verdict.holders > 0) return;
  held.delete(verdict);
  const ofDb = verdicts.get(verdict.deps.db);
  if (ofDb?.get(verdict.key) === verdict) ofDb.delete(verdict.key);
  if (held.size === 0) stopRefresher();
}

/**
 * Keeps held verdicts fresh while nothing is delivered: every second, each verdict past half its
 * default life is checked again (all in one tick, so the checks batch into two statements per
 * 500). An event after a quiet minute then finds a fresh verdict and goes out at once, instead
 * of 5,000 subscribers each waiting on the database first. It only ever checks more often.
 */
let refresher: NodeJS.Timeout | null = null;

function startRefresher(): void {
  if (refresher) return;
  refresher = setInterval(() => {
    const now = Date.now();
    for (const verdict of held) {
      if (verdict.verdict !== null && !verdict.inflight && now - verdict.checkedAt >= DEFAULT_TTL_MS / 2) void verdict.revalidate(DEFAULT_TTL_MS / 2).catch(() => {});
    }
  }, 1_000);
  refresher.unref();
}

function stopRefresher(): void {
  if (refresher) clearInterval(refresher);
  refresher = null;
}

/** Called by services after they commit a membership or token change: this process at once, the others through NOTIFY. */
export function notifyAccessChanged(db: Database): void {
  accessChangedHere();
  void db.execute(notifyStatement(ACCESS_TOPIC, PROCESS_ID)).catch(() => {});
}

function accessChangedHere(): void {
  generation += 1;
  for (const verdict of held) verdict.verdict = null;
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
 * subscription, from a verdict that is checked again (from the database, not the request's
 * loaders) after any access change in this process and at least every `ttlMs`. Monitors of the
 * same token, project and action share one verdict.
 */
export class AccessMonitor {
  private verdict: Verdict | null;

  constructor(
    deps: { db: Database; clock: Clock },
    principal: Principal,
    projectId: string,
    action: ProjectAction,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {
    this.verdict = holdVerdict(deps, principal, projectId, action);
  }

  /**
   * The verdict if it is fresh enough to use without checking, else null (call `allowed`).
   * Past three quarters of its life a verdict is refreshed in the background, so subscriptions
   * with events flowing never wait for the database on the delivery path.
   */
  current(): boolean | null {
    const verdict = this.verdict;
    if (verdict === null || verdict.verdict === null) return null;
    const age = Date.now() - verdict.checkedAt;
    if (age >= this.ttlMs * REFRESH_AHEAD && !verdict.inflight) void verdict.revalidate(this.ttlMs * REFRESH_AHEAD).catch(() => {});
    return age < this.ttlMs ? verdict.verdict : null;
  }

  async allowed(): Promise<boolean> {
    const current = this.current();
    if (current !== null) return current;
    // A closed monitor answers no: its subscription is over.
    return this.verdict ? this.verdict.revalidate(this.ttlMs) : false;
  }

  close(): void {
    if (this.verdict) releaseVerdict(this.verdict);
    this.verdict = null;
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
