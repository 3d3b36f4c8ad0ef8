import { describe, it } from 'vitest';
import { eventually } from '../support/cluster.ts';
import { addMember, aProject, anApp, anEnvironment, aUser } from '../support/fixtures.ts';
import {
  aSucceededRelease,
  atGate,
  auditLog,
  clusterRoute,
  clusterRouteIs,
  clusterWeightIs,
  collectProgress,
  command,
  createRelease,
  errorOf,
  withReleaseServer,
  releaseOf,
  releaseUntil,
  tryCommand,
  tryCreateRelease,
  type CommandName,
  type ReleaseEnv,
} from '../support/releases.ts';
import type { TestServer } from '../support/server.ts';

const GATED = [{ weight: 10, untilPromoted: true }, { weight: 100 }];
const UNGATED = [{ weight: 50 }, { weight: 100 }];

type Role = 'maintainer' | 'developer' | 'viewer';

/** A project with a MAINTAINER, a DEVELOPER and a VIEWER, and app `shop` in a protected `prod` and an open `dev`. */
interface Team {
  projectId: string;
  prod: ReleaseEnv;
  dev: ReleaseEnv;
  users: Record<Role, { login: string; token: string }>;
}

// Each test has its own project, so tests run side by side and count their own audit rows.
describe.concurrent('who may release', { timeout: 90_000 }, () => {
  let t: TestServer;
  withReleaseServer((server) => (t = server));

  async function aTeam(): Promise<Team> {
    const project = await aProject(t);
    const app = await anApp(t, project.id, 'shop');
    const p = await anEnvironment(t, app.id, { name: 'prod', replicas: 1, protected: true });
    const d = await anEnvironment(t, app.id, { name: 'dev', replicas: 1 });
    const users = {} as Team['users'];
    for (const role of ['maintainer', 'developer', 'viewer'] as const) {
      users[role] = await aUser(t);
      await addMember(t, project.id, users[role].login, role.toUpperCase());
    }
    return {
      projectId: project.id,
      prod: { ...p, app: 'shop', router: 'ISTIO', projectId: project.id },
      dev: { ...d, app: 'shop', router: 'ISTIO', projectId: project.id },
      users,
    };
  }

  /** Runs `act`, then expects exactly one new audit row in the project, for `action` on a Release, by `login`. */
  async function expectOneAuditRow<T>(projectId: string, action: string, login: string, act: () => Promise<T>): Promise<T> {
    const before = await auditLog(t, projectId);
    const result = await act();
    const after = await auditLog(t, projectId);
    const added = after.slice(0, after.length - before.length);
    if (after.length !== before.length + 1) throw new Error(`expected one new audit row for ${action}, got ${JSON.stringify(added)}`);
    if (added[0]!.action !== action || added[0]!.targetType !== 'Release' || added[0]!.actor?.login !== login) {
      throw new Error(`expected ${action} on a Release by ${login}, got ${JSON.stringify(added[0])}`);
    }
    return result;
  }

  it.concurrent('should refuse DEVELOPER and VIEWER every release command on a protected environment with FORBIDDEN, changing nothing', async ({ expect }) => {
    const { projectId, prod, users } = await aTeam();
    await aSucceededRelease(t, prod, { image: 'registry.local/shop:1.0' });
    const release = await createRelease(t, { environmentId: prod.id, image: 'registry.local/shop:3.0' }, users.maintainer.token);
    const gated = await atGate(t, release.id, 0);
    const auditBefore = await auditLog(t, projectId);

    for (const role of ['developer', 'viewer'] as const) {
      const { token } = users[role];
      expect(errorOf(await tryCreateRelease(t, { environmentId: prod.id, image: 'registry.local/shop:4.0', supersede: true }, token)).code).toBe('FORBIDDEN');
      const commands: [CommandName, Record<string, unknown>][] = [
        ['promoteRelease', { id: release.id, expectedStepIndex: 0 }],
        ['promoteReleaseFully', { id: release.id }],
        ['pauseRelease', { id: release.id }],
        ['resumeRelease', { id: release.id }],
        ['abortRelease', { id: release.id }],
        ['rollbackEnvironment', { environmentId: prod.id }],
      ];
      for (const [name, variables] of commands) {
        expect({ role, name, code: errorOf(await tryCommand(t, name, variables, token)).code }).toEqual({ role, name, code: 'FORBIDDEN' });
      }
    }
    // Reading is fine, for a viewer too: the release, its events, its progress.
    const seen = await t.ok(`query($id: ID!) { release(id: $id) { status events { totalCount } } }`, { id: release.id }, users.viewer.token);
    expect(seen.release.status).toBe('PAUSED');
    const progress = collectProgress(t.ws(users.viewer.token), release.id);

    expect(await releaseOf(t, release.id)).toEqual(gated);
    expect(await auditLog(t, projectId)).toEqual(auditBefore);
    expect(await clusterRoute(t, prod)).toEqual({ stableWeight: 90, canaryWeight: 10, stableVersion: 'r1', canaryVersion: 'r2' });

    await command(t, 'abortRelease', { id: release.id }, users.maintainer.token);
    await progress.done;
    expect(progress.events.map((e) => e.type).at(-1)).toBe('ABORTED');
    await clusterWeightIs(t, prod, 0);
  });

  it.concurrent('should end the progress stream of a member removed mid-release with NOT_FOUND, while others with the same subscription carry on', async ({ expect }) => {
    const { projectId, prod, users } = await aTeam();
    await aSucceededRelease(t, prod, { image: 'registry.local/shop:1.0' });
    const release = await createRelease(t, { environmentId: prod.id, image: 'registry.local/shop:2.0', steps: GATED });
    // Same document and variables: only the token tells the subscribers apart, and a result
    // executed for one must never reach the other after its access is gone.
    const stays = [collectProgress(t.ws(users.maintainer.token), release.id), collectProgress(t.ws(users.maintainer.token), release.id)];
    const leaves = collectProgress(t.ws(users.viewer.token), release.id);
    const leftWith = leaves.done.then(
      () => 'completed',
      (error: unknown) => (error instanceof Error ? error.message : JSON.stringify(error)),
    );
    await atGate(t, release.id, 0);
    await eventually(() => [...stays, leaves].every((p) => p.events.some((e) => e.type === 'PAUSED')), 10_000, 'everyone saw the gate');
    const seenByLeaver = leaves.events.length;

    await t.ok('mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }', { p: projectId, l: users.viewer.login });
    await command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 }, users.maintainer.token);
    await Promise.all(stays.map((p) => p.done));

    expect(await leftWith).toContain('NOT_FOUND');
    expect(leaves.events).toHaveLength(seenByLeaver);
    const full = stays[0]!.events;
    expect(full.at(-1).type).toBe('SUCCEEDED');
    expect(full.map((e) => e.sequence)).toEqual(full.map((_, i) => i + 1));
    expect(stays[1]!.events).toEqual(full);
  });

  it.concurrent('should let a MAINTAINER create, promote, abort and roll back on a protected environment, each command writing one audit row', async ({ expect }) => {
    const { projectId, prod, users } = await aTeam();
    await aSucceededRelease(t, prod, { image: 'registry.local/shop:1.0' });
    await aSucceededRelease(t, prod, { image: 'registry.local/shop:2.0', steps: UNGATED });
    const { login, token } = users.maintainer;
    const release = await expectOneAuditRow(projectId, 'release.create', login, () =>
      createRelease(t, { environmentId: prod.id, image: 'registry.local/shop:3.1' }, token),
    );
    await atGate(t, release.id, 0);
    expect((await clusterRoute(t, prod))?.canaryWeight).toBe(10);
    await expectOneAuditRow(projectId, 'release.promote', login, () => command(t, 'promoteRelease', { id: release.id, expectedStepIndex: 0 }, token));
    expect((await atGate(t, release.id, 1)).appliedWeight).toBe(50);
    expect((await clusterRoute(t, prod))?.canaryWeight).toBe(50);
    const aborted = await expectOneAuditRow(projectId, 'release.abort', login, () => command(t, 'abortRelease', { id: release.id, reason: 'checkout errors' }, token));
    expect(aborted).toMatchObject({ status: 'ABORTED', statusMessage: 'checkout errors' });
    await clusterWeightIs(t, prod, 0);

    const rollback = await expectOneAuditRow(projectId, 'release.rollback', login, () => command(t, 'rollbackEnvironment', { environmentId: prod.id }, token));
    expect(rollback).toMatchObject({ isRollback: true, image: 'registry.local/shop:1.0' });
    expect((await releaseUntil(t, rollback.id, (r) => r.status === 'SUCCEEDED', 'rollback SUCCEEDED')).appliedWeight).toBe(100);
    await clusterRouteIs(t, prod, { stableWeight: 100, canaryWeight: 0, stableVersion: rollback.version });
  });

  it.concurrent('should let a DEVELOPER release, pause, resume, promote and abort on an unprotected environment, each command writing one audit row; a VIEWER still only reads', async ({ expect }) => {
    const { projectId, dev, users } = await aTeam();
    await aSucceededRelease(t, dev, { image: 'registry.local/shop:1.0' });
    const { login, token } = users.developer;
    const release = await expectOneAuditRow(projectId, 'release.create', login, () =>
      createRelease(t, { environmentId: dev.id, image: 'registry.local/shop:2.0', strategy: 'CANARY', steps: GATED }, token),
    );
    expect((await atGate(t, release.id, 0)).appliedWeight).toBe(10);
    expect((await clusterRoute(t, dev))?.canaryWeight).toBe(10);
    expect(errorOf(await tryCommand(t, 'promoteRelease', { id: release.id }, users.viewer.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await tryCreateRelease(t, { environmentId: dev.id, image: 'registry.local/shop:9.0', supersede: true }, users.viewer.token)).code).toBe('FORBIDDEN');
    await expectOneAuditRow(projectId, 'release.promoteFully', login, () => command(t, 'promoteReleaseFully', { id: release.id }, token));
    expect((await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', 'SUCCEEDED')).appliedWeight).toBe(100);
    await clusterRouteIs(t, dev, { stableWeight: 100, canaryWeight: 0, stableVersion: 'r2' });

    const next = await expectOneAuditRow(projectId, 'release.create', login, () =>
      createRelease(t, { environmentId: dev.id, image: 'registry.local/shop:3.0', strategy: 'CANARY', steps: [{ weight: 20, pauseSeconds: 600 }, { weight: 100 }] }, token),
    );
    await releaseUntil(t, next.id, (r) => r.appliedWeight === 20, 'weight 20 applied');
    await expectOneAuditRow(projectId, 'release.pause', login, () => command(t, 'pauseRelease', { id: next.id }, token));
    await expectOneAuditRow(projectId, 'release.resume', login, () => command(t, 'resumeRelease', { id: next.id }, token));
    await expectOneAuditRow(projectId, 'release.abort', login, () => command(t, 'abortRelease', { id: next.id }, token));
    await clusterWeightIs(t, dev, 0);
    const rollback = await expectOneAuditRow(projectId, 'release.rollback', login, () => command(t, 'rollbackEnvironment', { environmentId: dev.id }, token));
    expect(rollback).toMatchObject({ isRollback: true, image: 'registry.local/shop:1.0', strategy: 'ROLLING' });
    expect((await releaseUntil(t, rollback.id, (r) => r.status === 'SUCCEEDED', 'rollback SUCCEEDED')).declaredWeight).toBe(100);
    // Refused commands write nothing.
    const auditBefore = await auditLog(t, projectId);
    expect(errorOf(await tryCommand(t, 'promoteRelease', { id: rollback.id }, token)).code).toBe('CONFLICT');
    expect(errorOf(await tryCommand(t, 'abortRelease', { id: rollback.id }, token)).code).toBe('CONFLICT');
    expect(errorOf(await tryCommand(t, 'resumeRelease', { id: rollback.id }, token)).code).toBe('CONFLICT');
    expect(await auditLog(t, projectId)).toEqual(auditBefore);
  });
});
