import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import type { MonitoringSettings } from '../../server/config.ts';
import type { ClusterDirectory } from '../cluster/directory.ts';
import { writeFileAtomically } from '../shared/atomic-file.ts';
import { findBinary, startManagedProcess, type ManagedProcess } from './managed-process.ts';
import { renderPrometheusConfig } from './prometheus-config.ts';
import { monitoringUnavailable, PrometheusClient } from './prometheus.ts';
import { ScrapeTargets, type PodAddresser } from './targets.ts';
import { renderAlertmanagerConfig } from '../alerts/alertmanager-config.ts';

export interface MonitoringOptions {
  settings: MonitoringSettings;
  dataDir: string;
  db: Database;
  clusters: ClusterDirectory;
  logger: Logger;
  /** The embedded cluster's metrics listener (`http://127.0.0.1:<port>`), when it runs in this process. */
  embeddedMetricsUrl: string | null;
}

/**
 * Prometheus and Alertmanager as Gantry uses them: the URLs of external ones
 * (GANTRY_PROMETHEUS_URL, GANTRY_ALERTMANAGER_URL) or instances it starts under
 * `$GANTRY_DATA_DIR/prometheus` and `…/alertmanager` when the binaries are installed; plus the
 * files Gantry writes for Prometheus either way (scrape targets, rule files).
 */
export class Monitoring {
  private prometheusClient: PrometheusClient | null = null;
  private missingPrometheus = 'Prometheus is not configured: set GANTRY_PROMETHEUS_URL or install the `prometheus` binary (Debian package prometheus) for a managed one';
  private alertmanager: string | null = null;
  private readonly processes: ManagedProcess[] = [];
  readonly dir: string;
  readonly targets: ScrapeTargets;
  /** The bearer secret Alertmanager must send to POST /hooks/alertmanager; null: the receiver accepts nothing. */
  readonly webhookSecret: string | null;

  constructor(private readonly options: MonitoringOptions) {
    this.dir = join(options.dataDir, 'prometheus');
    const managed = options.settings.managed !== '0';
    this.webhookSecret = options.settings.webhookSecret ?? (managed && !options.settings.alertmanagerUrl ? randomBytes(24).toString('base64url') : null);
    const embedded = options.embeddedMetricsUrl ? new URL(options.embeddedMetricsUrl).host : null;
    const address: PodAddresser = (cluster, pod, port, path) => {
      if (options.clusters.sourceOf(cluster) === 'embedded') return embedded ? { address: embedded, path: `/pods/${pod.namespace}/${pod.name}/${port}${path}` } : null;
      return pod.ip ? { address: `${pod.ip.includes(':') ? `[${pod.ip}]` : pod.ip}:${port}`, path } : null;
    };
    this.targets = new ScrapeTargets({ db: options.db, clusters: options.clusters, dir: this.targetsDir, address, logger: options.logger });
  }

  get targetsDir(): string {
    return join(this.dir, 'targets');
  }

  get rulesDir(): string {
    return join(this.dir, 'rules');
  }

  /** Seconds between scrapes (and rule evaluations) of the managed Prometheus. */
  get scrapeSeconds(): number {
    return this.options.settings.scrapeIntervalSeconds;
  }

  /** The Prometheus client. @throws a clear unavailable error naming what is missing. */
  prometheus(): PrometheusClient {
    if (!this.prometheusClient) throw monitoringUnavailable(this.missingPrometheus);
    return this.prometheusClient;
  }

  /** The Prometheus client, or null when there is none. */
  get prometheusOrNull(): PrometheusClient | null {
    return this.prometheusClient;
  }

  /** The managed children (restarted after a crash, see managed-process.ts): for tests and operators. */
  get managed(): readonly ManagedProcess[] {
    return this.processes;
  }

  /** The Alertmanager's URL, or null when there is none. */
  get alertmanagerUrl(): string | null {
    return this.alertmanager;
  }

  /**
   * Writes the files and starts what is managed. `receiverUrl` is this process's
   * `/hooks/alertmanager`. A managed instance that cannot start is logged (metrics then answer
   * an unavailable error), unless GANTRY_MANAGED_MONITORING=1, which makes it fatal.
   */
  async start(receiverUrl: string): Promise<void> {
    const { settings, logger } = this.options;
    await mkdir(this.targetsDir, { recursive: true });
    await mkdir(this.rulesDir, { recursive: true });
    this.targets.start();
    await this.targets.kick();
    try {
      this.alertmanager = settings.alertmanagerUrl ?? (await this.startAlertmanager(receiverUrl));
      if (settings.prometheusUrl) this.prometheusClient = new PrometheusClient(settings.prometheusUrl);
      else this.prometheusClient = await this.startPrometheus();
    } catch (error) {
      if (settings.managed === '1') throw error;
      logger.error({ err: (error as Error).message }, 'managed monitoring did not start; metrics and alerts are unavailable');
      this.missingPrometheus = 'Prometheus is not running: the managed instance failed to start (see the server log)';
    }
  }

  async stop(): Promise<void> {
    await this.targets.stop();
    for (const child of this.processes.splice(0).reverse()) await child.stop();
  }

  private async startPrometheus(): Promise<PrometheusClient | null> {
    if (this.options.settings.managed === '0') return null;
    const binary = findBinary('prometheus');
    if (!binary) {
      if (this.options.settings.managed === '1') throw new Error('GANTRY_MANAGED_MONITORING=1 but the prometheus binary is not installed');
      return null;
    }
    const configFile = join(this.dir, 'prometheus.yml');
    const clusterTargets = this.options.embeddedMetricsUrl ? [{ cluster: 'embedded', address: new URL(this.options.embeddedMetricsUrl).host }] : [];
    await writeFileAtomically(
      configFile,
      renderPrometheusConfig({ scrapeSeconds: this.scrapeSeconds, clusterTargets, targetsDir: this.targetsDir, rulesDir: this.rulesDir, alertmanager: this.alertmanager ? new URL(this.alertmanager).host : null }),
    );
    const child = await startManagedProcess({
      name: 'prometheus',
      binary,
      logger: this.options.logger,
      readyPath: '/-/ready',
      args: (port) => [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        // The default 1m would hold back the first notification after every reload.
        '--rules.alert.resend-delay=1s',
        '--storage.tsdb.retention.time=15d',
      ],
    });
    this.processes.push(child);
    return new PrometheusClient(child.url);
  }

  private async startAlertmanager(receiverUrl: string): Promise<string | null> {
    if (this.options.settings.managed === '0' || !this.webhookSecret) return null;
    const binary = findBinary('prometheus-alertmanager') ?? findBinary('alertmanager');
    if (!binary) {
      if (this.options.settings.managed === '1') throw new Error('GANTRY_MANAGED_MONITORING=1 but the alertmanager binary is not installed');
      return null;
    }
    const dir = join(this.options.dataDir, 'alertmanager');
    const configFile = join(dir, 'alertmanager.yml');
    await writeFileAtomically(configFile, renderAlertmanagerConfig({ receiverUrl, secret: this.webhookSecret }), 0o600);
    const child = await startManagedProcess({
      name: 'alertmanager',
      binary,
      logger: this.options.logger,
      readyPath: '/-/ready',
      args: (port) => [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // No gossip port: a lone Alertmanager on loopback.
        '--cluster.listen-address=',
      ],
    });
    this.processes.push(child);
    return child.url;
  }
}
