import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import type { ClusterDirectory } from '../cluster/directory.ts';
import { writeFileAtomically } from '../shared/atomic-file.ts';
import { CoalescedTask } from '../shared/coalesced-task.ts';
import { findScrapedEnvironments } from './repository.ts';

/** One file_sd target group. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * How Prometheus reaches a pod of a cluster: `<podIP>:<port><path>` on a real cluster; for the
 * embedded one, its metrics listener's per-pod route (pods there have no reachable address).
 */
export type PodAddresser = (cluster: string, pod: { namespace: string; name: string; ip: string | null }, port: number, path: string) => { address: string; path: string } | null;

/** The file Prometheus' `gantry-apps` job discovers its targets from. */
export const TARGETS_FILE = 'apps.json';

/**
 * Keeps `<dir>/apps.json` (file-based service discovery) equal to the Running pods of every app
 * with a metrics endpoint, from the cluster watch caches: re-rendered on every kick and every
 * `intervalMs`, written atomically and only when it changed. Each target carries `cluster`,
 * `namespace`, `pod`, `app`, `environment` and `version`; Prometheus attaches them to every series
 * scraped from it, over whatever the app exposes (honor_labels is off for this job).
 */
export class ScrapeTargets {
  private timer: NodeJS.Timeout | null = null;
  private last = '';
  private readonly rendering = new CoalescedTask(
    () => this.renderOnce(),
    (error) => this.options.logger.warn({ err: (error as Error).message }, 'scrape targets not written; will retry'),
  );

  constructor(
    private readonly options: { db: Database; clusters: ClusterDirectory; dir: string; address: PodAddresser; logger: Logger; intervalMs?: number },
  ) {}

  get file(): string {
    return join(this.options.dir, TARGETS_FILE);
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 2_000);
    this.timer.unref();
    this.kick();
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.rendering.idle();
  }

  /** Re-renders now (after an endpoint changed). Resolves once the file is written. */
  kick(): Promise<void> {
    return this.rendering.run();
  }

  private async renderOnce(): Promise<void> {
    const rows = await findScrapedEnvironments(this.options.db);
    const groups: TargetGroup[] = [];
    for (const row of rows) {
      const port = this.options.clusters.port(row.cluster);
      if (!port) continue;
      for (const pod of port.snapshot(row.namespace, row.app).pods) {
        if (pod.phase !== 'RUNNING' || pod.deleting) continue;
        const target = this.options.address(row.cluster, { namespace: pod.namespace, name: pod.name, ip: pod.ip ?? null }, row.port, row.path);
        if (!target) continue;
        groups.push({
          targets: [target.address],
          labels: {
            __metrics_path__: target.path,
            cluster: row.cluster,
            namespace: row.namespace,
            pod: pod.name,
            app: row.app,
            environment: row.environment,
            version: pod.labels['app.kubernetes.io/version'] ?? '',
          },
        });
      }
    }
    const text = `${JSON.stringify(groups, null, 1)}\n`;
    if (text === this.last) return;
    await writeFileAtomically(this.file, text);
    this.last = text;
  }
}
