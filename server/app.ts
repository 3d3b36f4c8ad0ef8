import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { openDatabase, type DatabaseHandle } from '../db/client.ts';
import { migrationsApplied, runMigrations } from '../db/migrate.ts';
import type { ClusterDirectory } from '../services/cluster/directory.ts';
import { startEmbeddedCluster, type EmbeddedCluster, type EmbeddedClusterOptions } from '../embedded-cluster/index.ts';
import { startClusters, type ClusterRegistry } from '../services/cluster/registry.ts';
import { ReleaseBus } from '../services/releases/bus.ts';
import { ReleaseEngine } from '../services/releases/engine.ts';
import { ReleaseFeedHub } from '../services/releases/progress.ts';
import { LogLineFeed } from '../services/shared/runtime/log-lines.ts';
import { ConfigRuntime } from '../services/config/runtime.ts';
import { CronRuntime } from '../services/cron/runtime.ts';
import { openSecretBox } from '../services/shared/secret-box.ts';
import { LogCollector } from '../services/logs/collector.ts';
import { PodLogFeeds } from '../services/logs/feeds.ts';
import { PostgresLogStore } from '../services/logs/postgres-store.ts';
import { startBuilds, type BuildsEngine } from '../services/builds/engine.ts';
import { serveArtifact, serveWebhook, type BuildHttpDeps } from '../services/builds/http.ts';
import { buildContext } from './context.ts';
import { listenForAccessChanges } from '../services/access/revalidation.ts';
import { NotifyHub } from '../services/shared/notify.ts';
import { Monitoring } from '../services/metrics/monitoring.ts';
import { WeightWatch } from '../services/metrics/weight-watch.ts';
import { createCanaryAnalyzer } from '../services/metrics/analysis.ts';
import { AlertRuntime } from '../services/alerts/runtime.ts';
import { VmRuntime } from '../services/vms/runtime.ts';
import { poolHealthPath } from '../services/vms/desired.ts';
import { vmReleasePort } from '../services/vms/release-port.ts';
import { isLiveAdminToken } from '../services/identity/admin-token.ts';
import { bootstrapAdmin } from '../services/identity/service.ts';
import { flushTokenUse } from '../services/identity/token-cache.ts';
import { systemClock, type Clock } from '../services/shared/clock.ts';
import type { GantryConfig } from './config.ts';
import type { ContextDeps } from './context.ts';
import { createClientErrorHandler, createErrorFormatter } from './errors.ts';
import { buildSchema, createApollo } from './graphql.ts';
import { ConsoleFiles } from './console.ts';
import { createHttpHandler, createMetricsHandler } from './http.ts';
import { createAlertHook } from './alert-hook.ts';
import { closeSilentConnections } from './idle-connections.ts';
import { createPrincipalLimiters } from './principal-limits.ts';
import { createLogger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { attachWebSocketServer } from './websocket.ts';

/** A running Gantry: what tests and main.ts hold on to. */
export interface GantryServer {
  url: string;
  port: number;
  /** `http://host:port/metrics` of the metrics-only listener (GANTRY_METRICS_PORT). */
  metricsUrl: string;
  config: GantryConfig;
  database: DatabaseHandle;
  metrics: Metrics;
  logger: Logger;
  clusters: ClusterDirectory;
  /** The live cluster registry; null when a ready-made directory was passed in. */
  registry: ClusterRegistry | null;
  /** Prometheus and Alertmanager as this process uses them. */
  monitoring: Monitoring;
  /** The in-process Kubernetes API server, when this process started one. */
  embedded: EmbeddedCluster | null;
  engine: ReleaseEngine;
  /** The pod log collector of this process. */
  logCollector: LogCollector;
  /** The builds domain: its runner and worker (tests look at what runs where). */
  builds: BuildsEngine;
  /** VM hosts' load balancer and topic. */
  vms: VmRuntime;
  /** Graceful stop: readiness false, in-flight requests finish, sockets get 1001, database closes. */
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** A ready-made cluster directory (tests of other domains); by default clusters are connected here. */
  clusters?: ClusterDirectory;
  /** Overrides for the embedded cluster, e.g. a time scale for tests. */
  embedded?: Partial<EmbeddedClusterOptions>;
}

/**
 * Starts Gantry on one port: GraphQL over HTTP and WebSocket at /graphql, plus /healthz,
 * /readyz and /metrics. Opens the database and applies migrations first.
 */
export async function startGantry(config: GantryConfig, options: StartOptions): Promise<GantryServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  // Both series from the first scrape, so a rate over them never starts mid-way.
  for (const origin of ['request', 'background'] as const) metrics.dbQueries.inc({ origin }, 0);
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.pgliteDir,
    onQuery: (_query, origin) => metrics.dbQueries.inc({ origin }),
    // Only the code: the error of a failed query may carry its parameters (token hashes, input).
    onConnectionRetry: (what, error) =>
      logger.warn({ what, code: (error as { code?: unknown } | null)?.code ?? null }, 'database connection lost; retrying once on a new one'),
  });
  try {
    await runMigrations(database);
    const bootstrap = await bootstrapAdmin(database.db, config.adminToken, clock);
    if (bootstrap.generatedToken) {
      logger.warn(
        { login: 'admin', adminToken: bootstrap.generatedToken },
        'created platform admin "admin"; this token is shown once, store it now',
      );
    } else if (bootstrap.created) {
      logger.info({ login: 'admin' }, 'created platform admin "admin" with GANTRY_ADMIN_TOKEN');
    } else if (config.adminToken && !(await isLiveAdminToken(database.db, config.adminToken, clock))) {
      // The variable only seeds an empty database; saying nothing here left people with a 401 and no clue.
      logger.warn(
        { login: 'admin' },
        'GANTRY_ADMIN_TOKEN is ignored: the platform admin "admin" already exists and this is not one of its tokens; ' +
          'stop Gantry and run `npm run admin-token` to mint a new one',
      );
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  // One key for every secret at rest: registered kubeconfigs and config secrets.
  const secretBox = openSecretBox(config.clusters.secretKey, config.dataDir, (file) =>
    logger.warn({ file }, 'GANTRY_SECRET_KEY unset: generated a key file for secrets at rest'),
  );
  let registry: ClusterRegistry | null = null;
  let embedded: EmbeddedCluster | null = null;
  try {
    // The embedded cluster is a simulator, not a domain service: only this composition root starts it.
    if (!options.clusters && config.clusters.embedded) {
      embedded = await startEmbeddedCluster({
        port: config.clusters.embeddedPort,
        dataDir: config.dataDir,
        timeScale: config.clusters.embeddedTimeScale,
        log: (message) => logger.info({ cluster: 'embedded' }, message),
        ...options.embedded,
      });
    }
    registry = options.clusters
      ? null
      : await startClusters({ config, logger, metricsRegistry: metrics.registry, db: database.db, embeddedKubeconfig: embedded?.kubeConfigYaml ?? null, secretBox });
  } catch (error) {
    await embedded?.stop();
    await database.close();
    throw error;
  }
  const clusters: ClusterDirectory = options.clusters ?? registry!;
  const notifications = new NotifyHub(database);
  await notifications.start();
  const releaseBus = new ReleaseBus(notifications);
  releaseBus.start();
  const stopAccessListener = listenForAccessChanges(notifications);
  const monitoring = new Monitoring({ settings: config.monitoring, dataDir: config.dataDir, db: database.db, clusters, logger, embeddedMetricsUrl: embedded?.metricsUrl ?? null });
  const analyzeCanary = createCanaryAnalyzer({ db: database.db, monitoring });
  const weightWatch = new WeightWatch({ db: database.db, monitoring, bus: releaseBus, logger });
  const embeddedGateway = embedded ? new URL(embedded.gatewayUrl).host : null;
  const vms = new VmRuntime({
    db: database.db,
    hub: notifications,
    logger,
    dataDir: config.dataDir,
    settings: config.vms,
    // Another cluster's ingress address is not known to Gantry yet: its cloud side answers 503.
    ingressOf: (cluster) => (cluster === 'embedded' ? embeddedGateway : null),
    healthPathOf: (environmentId) => poolHealthPath(database.db, environmentId),
  });
  vms.start();

  const engine = new ReleaseEngine({
    db: database.db,
    clusters,
    clock,
    logger,
    bus: releaseBus,
    leaseTtlMs: config.releases.leaseTtlMs,
    tickMs: config.releases.tickMs,
    onDriving: (count) => metrics.releasesDriving.set(count),
    secretBox,
    analyze: async (...args) => {
      await weightWatch.check(...args);
      return analyzeCanary(...args);
    },
    vms: vmReleasePort(database.db, vms, clock),
  });
  metrics.engineInfo.set({ owner: engine.owner }, 1);
  engine.start();

  const schema = buildSchema();
  const formatError = createErrorFormatter({
    production: config.production,
    hideSuggestions: !config.introspection,
    onInternal: (error) => logger.error({ err: error }, 'internal error'),
  });
  const apollo = createApollo({ schema, config, metrics, logger, formatError });
  await apollo.start();

  const releaseFeeds = new ReleaseFeedHub(database.db, releaseBus);
  const logLines = new LogLineFeed(database.db, notifications);
  logLines.start();
  const configRuntime = new ConfigRuntime(database.db, notifications, secretBox);
  configRuntime.start();
  const cron = new CronRuntime({ db: database.db, hub: notifications, clusters, box: secretBox, logLines, clock, logger, tickMs: config.releases.tickMs });
  cron.start();
  const podLogs = new PodLogFeeds(new PostgresLogStore(database.db), notifications);
  podLogs.start();
  const logCollector = new LogCollector({
    db: database.db,
    clusters,
    logger,
    store: podLogs.store,
    bus: podLogs.bus,
    retentionDays: config.logs.retentionDays,
    flushMs: config.logs.flushMs,
    leaseTtlMs: config.logs.leaseTtlMs,
  });
  if (config.logs.collect) logCollector.start();
  // Known once the listener is bound (GANTRY_PUBLIC_URL wins): webhook and download URLs.
  let publicUrl = config.publicUrl ?? `http://127.0.0.1:${config.port}`;
  const builds = startBuilds({ db: database.db, hub: notifications, logger, clock, dataDir: config.dataDir, logLines, settings: config.builds });
  const alerts = new AlertRuntime({ db: database.db, hub: notifications, monitoring, logger, releaseBus });
  const contextDeps: ContextDeps = { db: database.requestDb, clock, clusters, logger, releaseBus, releaseFeeds, logLines, podLogs, builds: builds.scope(() => publicUrl), config: configRuntime, cron, monitoring, alerts, vms };
  const buildHttp: BuildHttpDeps = {
    db: database.requestDb,
    clock,
    builds: contextDeps.builds,
    maxBodyBytes: config.limits.maxBodyBytes,
    logger,
    scopeFor: (authorization, requestId) => buildContext(contextDeps, authorization, requestId),
  };
  let shuttingDown = false;
  // Unready until everything after the listener (Prometheus, Alertmanager, alert rules) has started.
  let starting = true;
  // Checked on every probe, never cached: a database dropped and recreated empty answers the
  // ping but has no migrations (one count on a tiny table).
  const readiness = async (): Promise<string | null> => {
    if (shuttingDown) return 'shutting down';
    if (starting) return 'starting';
    try {
      await database.ping();
    } catch {
      return 'database unreachable';
    }
    return (await migrationsApplied(database)) ? null : 'migrations not applied';
  };

  const limiters = createPrincipalLimiters(config.principalLimits);
  const httpServer: Server = createServer(
    // Node only times out headers once a request has begun; checking every second (not every
    // 30 s, the default) makes GANTRY_HEADERS_TIMEOUT_MS hold to within a second.
    { connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs) },
    createHttpHandler({
      apollo,
      context: contextDeps,
      limits: config.limits,
      metrics,
      limiters,
      metricsToken: config.metrics.token,
      logger,
      readiness,
      alertHook: createAlertHook({ alerts, secret: monitoring.webhookSecret, logger }),
      console: new ConsoleFiles(),
      routes: [
        { prefix: '/hooks/', handle: (req, res, path, requestId) => serveWebhook(buildHttp, req, res, path, requestId) },
        { prefix: '/artifacts/', handle: (req, res, path, requestId) => serveArtifact(buildHttp, req, res, path, requestId) },
      ],
    }),
  );
  httpServer.on('clientError', createClientErrorHandler(logger));
  httpServer.requestTimeout = 60_000;
  httpServer.headersTimeout = config.headersTimeoutMs;
  // Requests whose response has not finished: shutdown waits for these, then drops idle keep-alive
  // connections at once instead of waiting out their keep-alive timeout.
  let inFlight = 0;
  httpServer.on('request', (_req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (shuttingDown && inFlight === 0) httpServer.closeIdleConnections();
    });
  });
  const ws = attachWebSocketServer(httpServer, { schema, config, context: contextDeps, metrics, limiters, logger, formatError });
  // After the WebSocket server: its 'upgrade' listener is what takes upgraded sockets over.
  closeSilentConnections(httpServer, config.headersTimeoutMs, { upgrades: true });
  const metricsServer: Server = createServer(createMetricsHandler(metrics, logger));
  metricsServer.headersTimeout = config.headersTimeoutMs;
  closeSilentConnections(metricsServer, config.headersTimeoutMs, { upgrades: false });

  /** Everything behind the listeners, in dependency order: for a failed start and for shutdown. */
  const stopServices = async () => {
    await apollo.stop();
    await builds.stop();
    await engine.stop();
    await cron.stop();
    await logCollector.stop();
    podLogs.stop();
    await alerts.stop();
    await vms.stop();
    await monitoring.stop();
    releaseFeeds.close();
    releaseBus.stop();
    logLines.stop();
    configRuntime.stop();
    stopAccessListener();
    await notifications.stop();
    await flushTokenUse(database.requestDb).catch((error: unknown) => logger.warn({ err: error }, 'could not record token use'));
    await registry?.stop();
    await embedded?.stop();
    await database.close();
  };
  const listen = (server: Server, port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(metricsServer, config.metrics.port, config.metrics.host).catch((error: unknown) => {
      // Two processes on one host with the default metrics port: say which setting to change.
      throw new Error(`cannot serve /metrics on ${config.metrics.host}:${config.metrics.port} (GANTRY_METRICS_HOST/GANTRY_METRICS_PORT): ${(error as Error).message}`, { cause: error });
    });
    await listen(httpServer, config.port, config.host);
    // After listening: the managed Alertmanager is configured with this process's receiver URL.
    const { port: apiPort } = httpServer.address() as AddressInfo;
    await monitoring.start(`${config.monitoring.publicUrl ?? `http://127.0.0.1:${apiPort}`}/hooks/alertmanager`);
    await alerts.start();
    starting = false;
  } catch (error) {
    httpServer.close();
    metricsServer.close();
    await stopServices();
    throw error;
  }
  // Bound to every interface: say so, and give URLs that work from this machine.
  const localUrl = (server: Server, path: string) => {
    const { address, port } = server.address() as AddressInfo;
    const local = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
    return `http://${local.includes(':') ? `[${local}]` : local}:${port}${path}`;
  };
  const bound = httpServer.address() as AddressInfo;
  const port = bound.port;
  const allInterfaces = bound.address === '0.0.0.0' || bound.address === '::';
  const url = localUrl(httpServer, '/graphql');
  if (!config.publicUrl) publicUrl = new URL(url).origin;
  const metricsUrl = localUrl(metricsServer, '/metrics');
  logger.info(
    { host: bound.address, port, url, metricsUrl, database: database.kind, location: database.location },
    allInterfaces
      ? `gantry listening on all interfaces (${bound.address}) port ${port}; from this machine: ${url}`
      : `gantry listening on ${bound.address} port ${port}: ${url}`,
  );

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      // The listener closes now (new connections are refused); requests already in flight, and
      // any that arrive on their connections meanwhile (they see /readyz 503), are served.
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      metricsServer.close();
      metricsServer.closeAllConnections();
      httpServer.closeIdleConnections();
      const timer = setTimeout(() => {
        logger.warn({ inFlight, timeoutMs: config.shutdownTimeoutMs }, 'shutdown timeout: cutting requests still in flight');
        httpServer.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await ws.close();
      await stopped;
      clearTimeout(timer);
      await stopServices();
      logger.info('gantry stopped');
    })());

  return { url, port, metricsUrl, config, database, metrics, logger, clusters, registry, embedded, engine, logCollector, builds, monitoring, vms, close };
}
