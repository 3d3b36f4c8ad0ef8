/**
 * `startEmbeddedCluster`: wires the store, the HTTP API, the watch hub, the simulated
 * controllers, persistence and fault injection into one handle that can stop and restart.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { bootstrapCluster } from './bootstrap.ts';
import { createScaledClock, type SimulationClock } from './clock.ts';
import { DEFAULT_POD_TIMINGS, type PodTimings } from './controllers/context.ts';
import { EventRecorder } from './controllers/events.ts';
import { ControllerManager } from './controllers/manager.ts';
import { FaultInjector } from './faults.ts';
import { ApiHttpServer } from './http/server.ts';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { ContainerLogs } from './logs.ts';
import { IngressGateway } from './metrics/gateway.ts';
import { ClusterMetricsServer } from './metrics/server.ts';
import { DurablePersistence } from './persistence.ts';
import { ResourceApi } from './resource-api.ts';
import { ObjectStore } from './store.ts';
import { WatchHub } from './watch.ts';

/** Options of {@link startEmbeddedCluster}; every field is optional. */
export interface EmbeddedClusterOptions {
  /** Port to listen on; 0 (default) picks a free one, which restarts keep. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1 (loopback only). */
  host?: string;
  /**
   * When set, the kubeconfig is written to `<dataDir>/kubeconfig` and state is persisted to
   * `<dataDir>/cluster-state.json` plus a write-ahead log (`cluster-wal.<n>.jsonl`).
   */
  dataDir?: string;
  /** Persist state under `dataDir` (default true when `dataDir` is set). */
  persist?: boolean;
  /** Size of a write-ahead log segment that triggers compaction into a new snapshot (default 8 MiB). */
  compactAfterBytes?: number;
  /** Bearer token clients must send; default random. */
  token?: string;
  /** Simulated-to-real time ratio: 0.05 makes a 2 s simulated delay take 100 ms. Default 1. */
  timeScale?: number;
  /** A clock to use instead of the scaled wall clock (overrides `timeScale`). */
  clock?: SimulationClock;
  /** Overrides of the simulated pod lifecycle durations. */
  podTimings?: Partial<PodTimings>;
  /** How many changes are retained for watch resumption before 410 Gone (default 10,000). */
  historySize?: number;
  /** Simulated milliseconds between watch BOOKMARK events (default 60,000, as the real server). */
  bookmarkIntervalMs?: number;
  /** Maximum number of Event objects kept (default 2,000). */
  maxEvents?: number;
  /** Log lines retained per container (default 500). */
  logLinesPerContainer?: number;
  /** Where startup messages go (default: nowhere). */
  log?: (message: string) => void;
  /** Port of the metrics endpoint (simulated cAdvisor, kube-state-metrics, Istio, app endpoints; metrics/README); 0 (default) picks a free one. */
  metricsPort?: number;
  /** Simulated requests per second each app receives (default 20). */
  requestsPerSecond?: number;
  /** Port of the ingress gateway (real HTTP answered for the simulated pods; metrics/gateway.ts); 0 (default) picks a free one. */
  gatewayPort?: number;
}

/** A running (or stopped) embedded cluster. */
export interface EmbeddedCluster {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** A kubeconfig for this server, for `KubeConfig.loadFromString`. */
  readonly kubeConfigYaml: string;
  /** Where the kubeconfig was written (only with `dataDir`). */
  readonly kubeconfigPath: string | undefined;
  /** The object store, for in-process reads in tests (`store.list('pods', { namespace })`). Treat returned objects as immutable. */
  readonly store: ObjectStore;
  /** The API verbs with full server semantics (validation, defaults, graceful deletion), in process. */
  readonly api: ResourceApi;
  readonly faults: FaultInjector;
  readonly clock: SimulationClock;
  readonly timeScale: number;
  readonly logs: ContainerLogs;
  /** `http://127.0.0.1:<port>`: the metrics endpoint (`/metrics`, `/pods/<ns>/<pod>/<port><path>`). */
  readonly metricsUrl: string;
  /** `http://127.0.0.1:<port>`: the ingress gateway; `Host: <service>.<namespace>` picks the app. */
  readonly gatewayUrl: string;
  /** Whether the HTTP server and controllers are running. */
  readonly running: boolean;
  /** How many watch connections are open (lets tests wait until a client is watching). */
  readonly openWatchCount: number;
  /** Stops the HTTP server (dropping open connections) and the controllers; state is kept. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same state (stopping first if running). */
  restart(): Promise<void>;
}

/**
 * Starts an in-process Kubernetes API server with simulated controllers.
 * @throws Error when the port cannot be bound or the persisted snapshot or log is unreadable.
 */
export async function startEmbeddedCluster(options: EmbeddedClusterOptions = {}): Promise<EmbeddedCluster> {
  const clock = options.clock ?? createScaledClock(options.timeScale ?? 1);
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const store = new ObjectStore({ historySize: options.historySize ?? 10_000, now: () => clock.now() });
  const api = new ResourceApi(store, clock);
  const logs = new ContainerLogs(options.logLinesPerContainer ?? 500);
  const persistence = dataDir && options.persist !== false ? new DurablePersistence(dataDir, store, options.compactAfterBytes) : undefined;
  const replayed = persistence?.load();
  if (replayed !== undefined) options.log?.(`Loaded cluster state from ${dataDir ?? ''} (${replayed} logged changes replayed)`);
  // Logging starts before bootstrapping so that the system objects are durable like any other write.
  persistence?.start();
  bootstrapCluster(api, clock.now());

  let watches: WatchHub | undefined;
  let controllers: ControllerManager | undefined;
  const faults = new FaultInjector({
    dropWatches: () => watches?.dropAll() ?? 0,
    expireHistory: () => store.expireHistory(),
    dropLogStreams: () => logs.dropFollowers(),
    ignoreRouterWeights: (namespace, on) => metrics.traffic.ignoreWeights(namespace, on),
  });
  const server = new ApiHttpServer({
    token,
    context: () => {
      if (!watches) throw new Error('embedded cluster is not running');
      return { api, watches, logs, faults, durable: () => persistence?.sync() ?? Promise.resolve() };
    },
  });

  let port = options.port ?? 0;
  let metricsPort = options.metricsPort ?? 0;
  const metrics = new ClusterMetricsServer(store, options.requestsPerSecond === undefined ? {} : { requestsPerSecond: options.requestsPerSecond });
  let gatewayPort = options.gatewayPort ?? 0;
  const gateway = new IngressGateway(store);
  let running = false;
  const start = async (): Promise<void> => {
    watches = new WatchHub(store, clock, { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000 });
    const events = new EventRecorder(store, clock, options.maxEvents ?? 2000);
    controllers = new ControllerManager({ store, api, clock, events, logs, timings: { ...DEFAULT_POD_TIMINGS, ...options.podTimings } });
    persistence?.start();
    port = await server.listen(port, host);
    metricsPort = await metrics.listen(metricsPort, host);
    gatewayPort = await gateway.listen(gatewayPort, host);
    running = true;
  };
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    controllers?.stop();
    watches?.dispose();
    clock.cancelAll();
    await server.close();
    await metrics.close();
    await gateway.close();
    await persistence?.stop();
  };

  await start();
  const base = `http://${host.includes(':') ? `[${host}]` : host}`;
  const url = `${base}:${port}`;
  const metricsUrl = `${base}:${metricsPort}`;
  const gatewayUrl = `${base}:${gatewayPort}`;
  const kubeConfigYaml = renderKubeconfig(url, token);
  const kubeconfigPath = dataDir ? join(dataDir, 'kubeconfig') : undefined;
  if (kubeconfigPath) {
    await writeKubeconfig(kubeconfigPath, kubeConfigYaml);
    options.log?.(`Kubeconfig written to ${kubeconfigPath}`);
  }

  return {
    url,
    port,
    metricsUrl,
    gatewayUrl,
    token,
    kubeConfigYaml,
    kubeconfigPath,
    store,
    api,
    faults,
    clock,
    timeScale: clock.timeScale,
    logs,
    get running() {
      return running;
    },
    get openWatchCount() {
      return running ? (watches?.openWatchCount ?? 0) : 0;
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}
