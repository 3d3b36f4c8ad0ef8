import type { Database } from '../db/client.ts';
import type { Principal } from './access/policy.ts';
import type { ClusterDirectory } from './cluster/directory.ts';
import type { Loaders } from './loaders.ts';
import type { Clock } from './shared/clock.ts';

/** What every service call gets: who is calling, in which request, and how to reach data. */
export interface RequestScope {
  db: Database;
  principal: Principal | null;
  loaders: Loaders;
  requestId: string;
  clock: Clock;
  clusters: ClusterDirectory;
}
