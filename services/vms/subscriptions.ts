/**
 * The VM domain's live streams: `vmHostsChanged` (people, per environment) and
 * `vmDesiredState` (one agent, its own host). Both read the database on the `vm` topic; between
 * notifications `vmHostsChanged` re-derives statuses every second from the rows it read last and
 * reads again only when one seems to have turned OFFLINE by time passing (heartbeats are not
 * announced), and `vmDesiredState` re-reads every 5 s as a safety net. Each sends only what changed.
 */
import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import { requireVisibleEnvironment } from '../apps/service.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { unauthenticated } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { desiredStateOf, type DesiredStateView } from './desired.ts';
import { hostStatus } from './model.ts';
import * as repo from './repository.ts';
import { requireHostPrincipal } from './service.ts';

/** How often statuses are re-derived without a notification (OFFLINE shows within this of its deadline). */
const RECHECK_MS = 1_000;

/**
 * Re-runs `check` on the environment's notifications and every `intervalMs`; serialized, never
 * overlapping. `check(changed)` learns whether a notification came since its last run (the first
 * run counts as one), so a timer's run can work from what it read last instead of the database.
 */
function watchEnvironment(scope: RequestScope, environmentId: string, intervalMs: number, check: (changed: boolean) => Promise<void>, fail: (error: unknown) => void): () => void {
  let running: Promise<void> | null = null;
  let again = false;
  let changed = true;
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    const notified = changed;
    changed = false;
    running = check(notified)
      .catch((error: unknown) => {
        changed = true; // read again next time
        fail(error);
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const unsubscribe = scope.vms.bus.subscribe((id) => {
    if (id !== environmentId) return;
    changed = true;
    run();
  });
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return () => {
    unsubscribe();
    clearInterval(timer);
  };
}

/** `vmHostsChanged(environmentId)`: each host once whenever its status, version, health or message changes. */
export async function subscribeVmHostsChanged(scope: RequestScope, environmentGlobalId: string): Promise<AsyncIterableIterator<repo.VmHostRow>> {
  const environmentId = idOf('Environment', environmentGlobalId, 'environmentId');
  const { app } = await requireVisibleEnvironment(scope, environmentId, 'vm.read');
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'vm.read');
  const channel = new Channel<repo.VmHostRow>();
  const seen = new Map<string, string>();
  let hosts: repo.VmHostRow[] = [];
  let first = true;
  const deliver = deliverWhileAllowed(access, 'Environment', (host: repo.VmHostRow) => channel.push(host), (error) => channel.fail(error));
  const stop = watchEnvironment(
    scope,
    environmentId,
    RECHECK_MS,
    async (changed) => {
      const keyOf = (host: repo.VmHostRow, now: number) =>
        JSON.stringify([hostStatus(host, now, scope.vms.offlineAfterMs), host.reportedVersion, host.healthy, host.message, host.address]);
      // Between notifications the rows read last are enough, unless one of them seems to have
      // changed by time passing (OFFLINE): heartbeats are not announced, so read again to see
      // whether the host really went quiet. One read per host per offline period, not per second.
      if (!changed && hosts.every((host) => seen.get(host.id) === keyOf(host, scope.clock.now().getTime()))) return;
      hosts = await repo.hostsOfEnvironments(scope.db, [environmentId]);
      const now = scope.clock.now().getTime();
      for (const host of hosts) {
        const key = keyOf(host, now);
        if (seen.get(host.id) === key) continue;
        seen.set(host.id, key);
        // The state at subscription time is the baseline: only changes after it are sent.
        if (!first) deliver(host);
      }
      first = false;
    },
    (error) => channel.fail(error),
  );
  channel.onClose(() => {
    stop();
    access.close();
  });
  return channel;
}

/** `vmDesiredState`: the calling host's desired state, at once and after every change. */
export async function subscribeDesiredState(scope: RequestScope): Promise<AsyncIterableIterator<DesiredStateView>> {
  const principal = requireHostPrincipal(scope);
  const channel = new Channel<DesiredStateView>();
  let last = '';
  const stop = watchEnvironment(
    scope,
    principal.environmentId,
    5_000,
    async () => {
      const [host] = await repo.findHostsByIds(scope.db, [principal.hostId]);
      if (!host) return channel.fail(unauthenticated('VM host token has been revoked'));
      const state = await desiredStateOf(scope, host);
      const key = JSON.stringify({ ...state, host: null });
      if (key === last) return;
      last = key;
      channel.push(state);
    },
    (error) => channel.fail(error),
  );
  channel.onClose(stop);
  return channel;
}
