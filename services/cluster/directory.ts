/** Health of one cluster as the API reports it. */
export type ClusterStatus = 'CONNECTED' | 'DEGRADED' | 'UNREACHABLE';

export interface ClusterInfo {
  name: string;
  status: ClusterStatus;
  version: string | null;
  lastSyncAt: Date | null;
}

/**
 * The clusters Gantry knows, as the rest of the platform sees them: names and health only.
 * The implementation lives beside the Kubernetes client; services depend on this interface.
 */
export interface ClusterDirectory {
  list(): ClusterInfo[];
  get(name: string): ClusterInfo | null;
  /** The cluster new environments land on when none is named. */
  defaultName(): string;
}
