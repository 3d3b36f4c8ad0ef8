import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import { requireVisibleEnvironment } from '../apps/service.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { idOf } from '../shared/ids.ts';
import { latestConfig } from './service.ts';
import type { ConfigRevisionRow } from './repository.ts';

/**
 * `configChanged(environmentId)`: every revision made after the subscription starts, in order,
 * each once (secrets by name only: the resolvers never read values). Access is checked per message.
 */
export async function subscribeConfigChanged(scope: RequestScope, environmentGlobalId: string): Promise<AsyncIterableIterator<ConfigRevisionRow>> {
  const environmentId = idOf('Environment', environmentGlobalId, 'environmentId');
  const { environment, app } = await requireVisibleEnvironment(scope, environmentId, 'config.read');
  const latest = await latestConfig(scope, environment);
  const access = new AccessMonitor(scope, scope.principal!, app.projectId, 'config.read');
  const channel = new Channel<ConfigRevisionRow>();
  const stop = scope.config.feeds.listen(
    environmentId,
    latest.number,
    deliverWhileAllowed(access, 'Environment', (rows: readonly ConfigRevisionRow[]) => rows.forEach((row) => channel.push(row)), (error) => channel.fail(error)),
  );
  channel.onClose(() => {
    stop();
    access.close();
  });
  return channel;
}
