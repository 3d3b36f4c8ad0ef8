/**
 * The VM domain's process-wide part: the load balancer, the `vm` topic (payload: an
 * environment id, "its hosts or pool changed"), and the sync that turns the pools and hosts in
 * the database into HAProxy's layout. Every process keeps the layout in line on its topic and
 * on a timer; the managed HAProxy belongs to the process that started it.
 */
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import type { NotifyHub } from '../shared/notify.ts';
import { TopicBus } from '../shared/runtime/bus.ts';
import type { BalancerLayout } from './haproxy-config.ts';
import { LoadBalancer } from './load-balancer.ts';
import { balancerKey } from './model.ts';
import * as repo from './repository.ts';
import { findEnvironmentsByIds } from '../apps/repository.ts';
import type { VmSettings } from '../../server/config.ts';

export interface VmRuntimeOptions {
  db: Database;
  hub: NotifyHub;
  logger: Logger;
  dataDir: string;
  settings: VmSettings;
  /** `host:port` of a cluster's ingress (the embedded cluster's gateway), or null when unknown. */
  ingressOf: (cluster: string) => string | null;
  /** The health path of the release the environment's VMs run, default `/`. */
  healthPathOf?: (environmentId: string) => Promise<string>;
}

export class VmRuntime {
  readonly bus: TopicBus;
  readonly balancer: LoadBalancer;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: VmRuntimeOptions) {
    this.bus = new TopicBus(options.hub, 'vm');
    this.balancer = new LoadBalancer({ dataDir: options.dataDir, socketPath: options.settings.haproxySocket ?? null, logger: options.logger });
  }

  get offlineAfterMs(): number {
    return this.options.settings.offlineAfterMs;
  }

  start(): void {
    this.bus.start();
    this.unsubscribe = this.bus.subscribe(() => void this.sync().catch(() => undefined));
    this.timer = setInterval(() => void this.sync().catch(() => undefined), 10_000);
    this.timer.unref();
    void this.sync().catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    this.bus.stop();
    await this.syncing?.catch(() => undefined);
    await this.balancer.stop();
  }

  /**
   * Brings HAProxy in line with the database (coalesced: calls during a sync run one more after it).
   * @throws the load balancer's error (HAProxy missing or failing) to the caller that asked.
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const pools = await repo.allPools(this.options.db);
    if (pools.length === 0 && !this.balancer.managed) return;
    const environments = new Map((await findEnvironmentsByIds(this.options.db, pools.map((p) => p.environmentId))).map((e) => [e.id, e]));
    const hosts = await repo.hostsOfEnvironments(this.options.db, pools.map((p) => p.environmentId));
    const layouts: BalancerLayout[] = [];
    for (const pool of pools) {
      const environment = environments.get(pool.environmentId);
      if (!environment) continue;
      const ingress = this.options.ingressOf(environment.cluster);
      layouts.push({
        key: balancerKey(pool.environmentId),
        frontendPort: pool.frontendPort,
        servers: pool.retiredAt ? [] : hosts.filter((h) => h.environmentId === pool.environmentId && h.address).map((h) => ({ name: h.name, address: h.address! })),
        healthPath: (await this.options.healthPathOf?.(pool.environmentId)) ?? '/',
        cloud: ingress ? { address: ingress, host: `${environment.appName}.${environment.namespace}` } : null,
        vmWeight: 100 - pool.cloudWeight,
        cloudWeight: pool.cloudWeight,
      });
    }
    if (layouts.length === 0) return;
    await this.balancer.configure(layouts);
  }
}
