import type { Logger } from 'pino';
import type { GantryConfig } from '../../server/config.ts';
import type { ClusterDirectory, ClusterInfo } from './directory.ts';

/**
 * The clusters Gantry runs against. Until live watches are wired in, every cluster is
 * reported UNREACHABLE: status must come from real contact, never be assumed.
 */
export async function startClusters(_config: GantryConfig, _logger: Logger): Promise<{ directory: ClusterDirectory; stop(): Promise<void> }> {
  const clusters: ClusterInfo[] = [{ name: 'embedded', status: 'UNREACHABLE', version: null, lastSyncAt: null }];
  return {
    directory: {
      list: () => clusters,
      get: (name) => clusters.find((c) => c.name === name) ?? null,
      defaultName: () => clusters[0]!.name,
    },
    stop: async () => {},
  };
}
