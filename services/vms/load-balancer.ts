/**
 * The environments' front door: HAProxy, driven through its runtime API over the admin socket.
 * Gantry starts its own under `$GANTRY_DATA_DIR/haproxy` on first use (the managed-process
 * pattern of the monitoring stack), or drives an existing one at `GANTRY_HAPROXY_SOCKET` whose
 * configuration names its objects as {@link balancerNames} does. Weights are set with
 * `set server … weight` and read back with `show servers state` (one round trip). The managed
 * instance's file is rewritten (atomically) with them once they settle, so a restart keeps the
 * split; an external instance's file is its owner's and never written. A change of topology (an
 * environment, a host or its address) rewrites the managed file and reloads HAProxy
 * (master-worker, SIGUSR2: listeners are handed over, connections in flight finish on the old worker).
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { findBinary, freePort, startManagedProcess, type ManagedProcess } from '../metrics/managed-process.ts';
import { writeFileAtomically } from '../shared/atomic-file.ts';
import { balancerNames, renderHaproxyConfig, type BalancerLayout } from './haproxy-config.ts';
import { HaproxyUnreachable, serversState, setWeightsAndRead, type ServerState } from './haproxy-socket.ts';

/** The split as HAProxy reports it. */
export interface ReadSplit {
  vmWeight: number;
  cloudWeight: number;
}

export interface LoadBalancerOptions {
  dataDir: string;
  /** GANTRY_HAPROXY_SOCKET: an existing HAProxy's admin socket; null starts a managed one. */
  socketPath: string | null;
  logger: Logger;
}

/** How long weights must stay still before the managed instance's file is rewritten with them. */
export const CONFIG_WRITE_DELAY_MS = 250;

/** Why nothing can be balanced: what is missing, for the user. */
export const HAPROXY_MISSING = 'HAProxy is not available: set GANTRY_HAPROXY_SOCKET to an existing one\'s admin socket, or install the `haproxy` binary (Debian package haproxy) for a managed one';

/** HAProxy as Gantry uses it (see the file's comment). */
export class LoadBalancer {
  private process: ManagedProcess | null = null;
  private starting: Promise<void> | null = null;
  private layouts = new Map<string, BalancerLayout>();
  private topology = '';
  private healthPort = 0;
  private readonly dir: string;
  private readonly namespace: string;
  /** Serializes file writes and reloads (weights of two environments may change at once). */
  private queue: Promise<unknown> = Promise.resolve();
  private configTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LoadBalancerOptions) {
    this.dir = join(options.dataDir, 'haproxy');
    this.namespace = createHash('sha256').update(this.dir).digest('hex').slice(0, 10);
  }

  /** The admin socket in use. */
  get socketPath(): string {
    return this.options.socketPath ?? join(this.dir, 'admin.sock');
  }

  get configPath(): string {
    return join(this.dir, 'haproxy.cfg');
  }

  /** Whether this process drives its own HAProxy (and writes its configuration). */
  get managed(): boolean {
    return this.options.socketPath === null;
  }

  /**
   * Makes HAProxy serve exactly these environments (weights as given for new ones; an existing
   * one keeps the weights last applied). Starts the managed instance on first use.
   * @throws Error naming what is missing when there is no HAProxy to drive.
   */
  configure(layouts: readonly BalancerLayout[]): Promise<void> {
    return this.serialized(async () => {
      const next = new Map(layouts.map((l) => [l.key, { ...l, ...(this.layouts.get(l.key) ? weightsOf(this.layouts.get(l.key)!) : {}) }]));
      const topology = JSON.stringify([...next.values()].map((l) => ({ ...l, vmWeight: 0, cloudWeight: 0 })));
      this.layouts = next;
      if (!this.managed) return;
      if (topology === this.topology && this.process) return;
      const fresh = !this.process;
      await this.ensureStarted();
      await this.writeConfig();
      if (topology !== this.topology) {
        this.topology = topology;
        // A fresh start read this very file: a reload now would only cut its first connections.
        if (!fresh) await this.reload();
      }
    });
  }

  /**
   * Sets the cloud's share of environment `key` (the VM pool gets the rest) and reads the split
   * back from HAProxy, both weights and the read in one admin-socket round trip. The managed
   * instance's file follows off this path, once changes settle ({@link CONFIG_WRITE_DELAY_MS}).
   * @throws HaproxyUnreachable when the admin socket does not answer; Error when HAProxy refuses.
   */
  applySplit(key: string, cloudWeight: number): Promise<ReadSplit> {
    return this.serialized(async () => {
      const names = balancerNames(key);
      if (this.managed && !this.process) throw new HaproxyUnreachable(HAPROXY_MISSING);
      // Cloud first when it grows, VMs first when it shrinks: the side gaining never waits for the other.
      const order: [string, number][] = [['cloud', cloudWeight], ['vms', 100 - cloudWeight]];
      const layout = this.layouts.get(key);
      if (layout && cloudWeight < layout.cloudWeight) order.reverse();
      const split = splitOf(await setWeightsAndRead(this.socketPath, names.split, order));
      if (!split) throw new Error(`HAProxy has no backend ${names.split}`);
      if (layout) {
        layout.cloudWeight = cloudWeight;
        layout.vmWeight = 100 - cloudWeight;
        if (this.managed) this.scheduleConfigWrite();
      }
      return split;
    });
  }

  /** Resolves once every change queued so far (the pending configuration write included) is done. */
  async settled(): Promise<void> {
    this.flushConfigWrite();
    await this.queue.catch(() => undefined);
  }

  /** The split of environment `key` as HAProxy reports it; null when it has no such backend. @throws HaproxyUnreachable */
  async readSplit(key: string): Promise<ReadSplit | null> {
    if (this.managed && !this.process) throw new HaproxyUnreachable(HAPROXY_MISSING);
    return this.readSplitNow(key);
  }

  /** The pool servers' operational state (2 = up) by host name, from `show servers state`. */
  async poolState(key: string): Promise<Map<string, number>> {
    const states = await serversState(this.socketPath, balancerNames(key).vms);
    return new Map(states.map((s) => [s.server, s.operational]));
  }

  async stop(): Promise<void> {
    await this.settled();
    await this.process?.stop();
    this.process = null;
  }

  private async readSplitNow(key: string): Promise<ReadSplit | null> {
    return splitOf(await serversState(this.socketPath, balancerNames(key).split));
  }

  /**
   * The weights are live once HAProxy reads them back; the file only serves a restart. Written
   * when changes pause, so weight changes back to back never wait for a file's fsync, and in the
   * queue, so it never races a topology write or reload.
   */
  private scheduleConfigWrite(): void {
    if (this.configTimer) clearTimeout(this.configTimer);
    this.configTimer = setTimeout(() => this.flushConfigWrite(), CONFIG_WRITE_DELAY_MS);
    this.configTimer.unref();
  }

  private flushConfigWrite(): void {
    if (!this.configTimer) return;
    clearTimeout(this.configTimer);
    this.configTimer = null;
    void this.serialized(() => this.writeConfig()).catch((error: unknown) =>
      this.options.logger.warn({ err: (error as Error).message }, 'could not write the HAProxy configuration; a restart would lose the last weight'),
    );
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeConfig(): Promise<void> {
    const text = renderHaproxyConfig({ socketPath: this.socketPath, healthPort: this.healthPort, namespace: this.namespace, environments: [...this.layouts.values()] });
    await writeFileAtomically(this.configPath, text, 0o600);
  }

  private ensureStarted(): Promise<void> {
    return (this.starting ??= (async () => {
      const binary = findBinary('haproxy');
      if (!binary) throw new HaproxyUnreachable(HAPROXY_MISSING);
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.healthPort = await freePort();
      await this.writeConfig();
      this.process = await startManagedProcess({
        name: 'haproxy',
        binary,
        port: this.healthPort,
        args: () => ['-W', '-f', this.configPath],
        readyPath: '/healthz',
        logger: this.options.logger,
      });
      await this.waitForSocket();
    })().catch((error: unknown) => {
      this.starting = null;
      throw error;
    }));
  }

  /** SIGUSR2 to the master; resolves once the new worker answers with every backend. */
  private async reload(): Promise<void> {
    this.process?.signal('SIGUSR2');
    const deadline = Date.now() + 30_000;
    let resendAt = Date.now() + 5_000;
    const loaded = async (layout: BalancerLayout) => {
      const servers = await serversState(this.socketPath, balancerNames(layout.key).vms);
      const split = await this.readSplitNow(layout.key);
      return split !== null && servers.map((s) => s.server).sort().join() === layout.servers.map((s) => s.name).sort().join();
    };
    for (;;) {
      const ok = await Promise.all([...this.layouts.values()].map((layout) => loaded(layout).catch(() => false)));
      if (ok.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error('HAProxy did not load its new configuration within 30 s');
      // A signal that arrived while the master was still busy with the previous reload is not queued.
      if (Date.now() > resendAt) {
        this.process?.signal('SIGUSR2');
        resendAt = Date.now() + 5_000;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async waitForSocket(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await serversState(this.socketPath, 'gantry_probe');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

function splitOf(states: readonly ServerState[]): ReadSplit | null {
  const vms = states.find((s) => s.server === 'vms');
  const cloud = states.find((s) => s.server === 'cloud');
  return vms && cloud ? { vmWeight: vms.weight, cloudWeight: cloud.weight } : null;
}

function weightsOf(layout: BalancerLayout): Pick<BalancerLayout, 'vmWeight' | 'cloudWeight'> {
  return { vmWeight: layout.vmWeight, cloudWeight: layout.cloudWeight };
}
