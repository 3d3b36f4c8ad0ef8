import type { Database } from '../db/client.ts';
import type { Principal } from './access/policy.ts';
import type { ClusterDirectory } from './cluster/directory.ts';
import type { Loaders } from './loaders.ts';
import type { Clock } from './shared/clock.ts';
import type { ReleaseFeedHub } from './releases/progress.ts';
import type { LogLineFeed } from './shared/runtime/log-lines.ts';
import type { ConfigRuntime } from './config/runtime.ts';
import type { CronRuntime } from './cron/runtime.ts';
import type { PodLogFeeds } from './logs/feeds.ts';
import type { BuildsScope } from './builds/scope.ts';
import type { Monitoring } from './metrics/monitoring.ts';
import type { AlertRuntime } from './alerts/runtime.ts';
import type { VmRuntime } from './vms/runtime.ts';
import type { VmHostPrincipal } from './vms/service.ts';

/** What every service call gets: who is calling, in which request, and how to reach data. */
export interface RequestScope {
  db: Database;
  principal: Principal | null;
  loaders: Loaders;
  requestId: string;
  clock: Clock;
  clusters: ClusterDirectory;
  /** Announces committed release changes to the engine and to releaseProgress subscribers. */
  releaseBus: { publish(releaseId: string): void; subscribe(listener: (releaseId: string) => void): () => void };
  /** Shared per-release event readers for releaseProgress. */
  releaseFeeds: ReleaseFeedHub;
  /** Stored log streams (builds, cron runs) and their live readers. */
  logLines: LogLineFeed;
  /** The SecretBox, the `config` topic and the shared feeds of configChanged. */
  config: ConfigRuntime;
  /** The `cron` topic: mutations announce cron jobs and runs to the cron workers. */
  cron: Pick<CronRuntime, 'bus'>;
  /** The pod log store and live feeds over it (Environment.logs, logTail). */
  podLogs: PodLogFeeds;
  /** The builds domain's bus, feeds and settings. */
  builds: BuildsScope;
  /** Prometheus and Alertmanager (managed or external), the scrape targets and rule files. */
  monitoring: Monitoring;
  /** Alert rules, the `alert` topic, the receiver's store and webhook deliveries. */
  alerts: AlertRuntime;
  /** The VM domain: the load balancer and the `vm` topic. */
  vms: VmRuntime;
  /** Set when the caller is a VM host's agent (its token); then `principal` is null. */
  vmHost: VmHostPrincipal | null;
}
