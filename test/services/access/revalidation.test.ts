import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectMembers } from '../../../db/schema/index.ts';
import type { Principal } from '../../../services/access/policy.ts';
import { AccessMonitor, deliverWhileAllowed } from '../../../services/access/revalidation.ts';
import type { Database } from '../../../db/client.ts';
import { authenticate } from '../../../services/identity/service.ts';
import { systemClock } from '../../../services/shared/clock.ts';
import { idOf } from '../../../services/shared/ids.ts';
import { addMember, aProject, aUser } from '../../support/fixtures.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The monitor's verdict once it stops being true, looking every `stepMs` for at most 100 looks. */
async function verdictOnceChanged(monitor: AccessMonitor, stepMs: number): Promise<boolean | null> {
  let now = monitor.current();
  for (let i = 0; i < 100 && now === true; i++) {
    await sleep(stepMs);
    now = monitor.current();
  }
  return now;
}

/**
 * The monitor against a real database. A membership deleted behind Gantry's back (no
 * notifyAccessChanged) stands for a change made by another Gantry process: only the TTL finds it.
 */
describe('AccessMonitor', () => {
  let t: TestServer;
  let principal: Principal;
  let projectId: string;
  let userId: string;
  /** Long enough that a background refresh started at 3/4 of it finishes inside it, even on a loaded machine. */
  const TTL = 4_000;

  beforeAll(async () => {
    t = await startTestServer();
    const project = await aProject(t);
    const user = await aUser(t);
    await addMember(t, project.id, user.login, 'VIEWER');
    principal = (await authenticate(t.server.database.db, user.token, systemClock))!;
    projectId = idOf('Project', project.id, 'projectId');
    userId = principal.userId;
  });
  afterAll(() => t.close());

  const removeBehindTheBack = () =>
    t.server.database.db.delete(projectMembers).where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)));
  const restore = () => t.server.database.db.insert(projectMembers).values({ projectId, userId, role: 'VIEWER' });

  it('should refresh a verdict in the background past three quarters of its life, so a change elsewhere is seen within the TTL without waiting on the delivery path', async () => {
    const monitor = new AccessMonitor({ db: t.server.database.db, clock: systemClock }, principal, projectId, 'project.read', TTL);
    try {
      expect(await monitor.allowed()).toBe(true);
      await removeBehindTheBack();
      expect(monitor.current()).toBe(true); // fresh: nobody told this process
      await sleep(TTL * 0.8);
      // Still within its life: true, or already false when the shared refresher (every second,
      // past half the default life) got there first; never null, which would mean waiting.
      expect(monitor.current()).not.toBeNull();
      // false, not null: the background refresh saw the change before the verdict ran out.
      expect(await verdictOnceChanged(monitor, 20)).toBe(false);
    } finally {
      monitor.close();
      await restore();
    }
  });

  it('should keep a held verdict fresh without any delivery, so the first event after a quiet spell needs no check', async () => {
    // A long TTL: only the refresher (past half the default 5 s life, every second) can see the change.
    const monitor = new AccessMonitor({ db: t.server.database.db, clock: systemClock }, principal, projectId, 'build.read', 60_000);
    try {
      expect(await monitor.allowed()).toBe(true);
      await removeBehindTheBack();
      expect(await verdictOnceChanged(monitor, 50)).toBe(false);
    } finally {
      monitor.close();
      await restore();
    }
  });

  it('should check again once the TTL has passed without any delivery in between', async () => {
    // Another action: verdicts are shared per token, project and action, and the first test's is still fresh.
    const monitor = new AccessMonitor({ db: t.server.database.db, clock: systemClock }, principal, projectId, 'release.read', 600);
    try {
      expect(await monitor.allowed()).toBe(true);
      await removeBehindTheBack();
      await sleep(700);
      expect(monitor.current()).toBeNull();
      expect(await monitor.allowed()).toBe(false);
    } finally {
      monitor.close();
      await restore();
    }
  });

  it('should check the access of many subscriptions whose verdicts ran out together in two statements', async () => {
    // Six users over three projects: the batch spans several of each.
    const projects = [await aProject(t), await aProject(t), await aProject(t)];
    const principals: Principal[] = [];
    const projectIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const user = await aUser(t);
      const project = projects[i % 3]!;
      await addMember(t, project.id, user.login, 'VIEWER');
      principals.push((await authenticate(t.server.database.db, user.token, systemClock))!);
      projectIds.push(idOf('Project', project.id, 'projectId'));
    }
    // The monitors run on the background handle, with the workers' statements.
    const statements = () => t.statements('background');
    const monitors = principals.map((p, i) => new AccessMonitor({ db: t.server.database.db, clock: systemClock }, p, projectIds[i]!, 'project.read', 50));
    try {
      // The engine's scan may add a statement to a round; it can only add, so take the least.
      const rounds: number[] = [];
      for (let round = 0; round < 3; round++) {
        await sleep(60); // every verdict (and every shared one) has run out
        const before = await statements();
        const verdicts = await Promise.all(monitors.map((m) => m.allowed()));
        rounds.push((await statements()) - before);
        expect(verdicts).toEqual(Array(6).fill(true));
      }
      expect(Math.min(...rounds)).toBe(2);
    } finally {
      for (const m of monitors) m.close();
    }
  });

  it('should end a delivery whose access cannot be checked, without delivering and without an unhandled rejection', async () => {
    // Test double: a database that fails every query, as one that went away mid-stream would;
    // the real ones cannot be made to fail on cue here.
    const broken = { select: () => { throw new Error('connection lost'); } } as unknown as Database;
    // An action no other test asks about: no verdict shared from them can answer for it.
    const monitor = new AccessMonitor({ db: broken, clock: systemClock }, principal, projectId, 'audit.read', TTL);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const delivered: number[] = [];
      const ended: string[] = [];
      const deliver = deliverWhileAllowed<number>(monitor, 'Release', (n) => delivered.push(n), (error) => ended.push(error.code));
      deliver(1);
      deliver(2);
      await sleep(50);
      expect(delivered).toEqual([]);
      expect(ended).toEqual(['INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      monitor.close();
    }
  });
});
