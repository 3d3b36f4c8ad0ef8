import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ChildScript } from '../support/child.ts';
import { BENCH_ADMIN_TOKEN, type BenchGantry } from '../support/gantry.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { distribution, epochMs, sleep, type Distribution } from '../support/stats.ts';
import { stampPod, type FleetEnvironment } from './fleet.ts';
import type { FromSubscribers, Operation, ToSubscribers } from './subscribers.ts';

/** One latency run: which subscription, how many subscribers, and the write load. */
export interface LatencyOptions {
  operation: Operation;
  subscribers: number;
  writesPerSecond: number;
  durationMs: number;
}

/** What one latency run measured. */
export interface LatencyReport {
  operation: Operation;
  writes: number;
  /** Writes per second actually issued (the driver can fall behind a busy event loop). */
  achievedRate: number;
  /** Worst delay of a write behind its schedule. */
  maxDriverLagMs: number;
  /** (subscriber, write) pairs that should have produced a frame, and those that did. */
  expected: number;
  received: number;
  frames: number;
  unstampedFrames: number;
  frameBytes: number;
  latency: Distribution;
  /** CPU used during the run, in percent of one core: the server process, the subscribers' process. */
  serverCpuPercent: number;
  clientCpuPercent: number;
  /** Server CPU time (embedded API server included) per write: independent of other load on the machine. */
  serverCpuMsPerWrite: number;
  /** How late the server's event loop ran timers (p99, max): time every frame may have waited. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** SQL statements per second during the run (subscriptions re-check access from the database). */
  dbQueriesPerSecond: number;
  errors: string[];
}

/**
 * Write→frame latency: `subscribers` graphql-ws clients (in a child process) spread round-robin
 * over the environments subscribe to `operation`; the driver stamps pods at `writesPerSecond`
 * (environments and pods round-robin) for `durationMs`, noting when each write was issued; each
 * client notes when a frame first shows each stamp. Latency = arrival − write, over all pairs.
 */
export async function measureLatency(g: BenchGantry, fleet: FleetEnvironment[], options: LatencyOptions, nextSeq: () => number): Promise<LatencyReport> {
  const child = new ChildScript<ToSubscribers, FromSubscribers>(new URL('./subscribers.ts', import.meta.url));
  try {
    const environmentIds = Array.from({ length: options.subscribers }, (_, i) => fleet[i % fleet.length]!.id);
    child.send({ type: 'start', url: g.wsUrl, token: BENCH_ADMIN_TOKEN, operation: options.operation, environmentIds });
    const connected = await child.next('connected', 30_000);
    if (connected.closes.length) throw new Error(`${connected.closes.length} of ${options.subscribers} subscribers could not connect (close codes ${connected.closes.join(', ')})`);

    // Warm-up: stamp one pod per environment until every subscriber has seen a stamp, so each
    // subscription is live on the server before the measured writes start.
    let warmupFrom = 0;
    const warmDeadline = Date.now() + 30_000;
    for (;;) {
      for (const env of fleet) {
        const seq = nextSeq();
        warmupFrom ||= seq;
        stampPod(g.embedded.api, env.namespace, env.pods[0]!, seq);
      }
      await sleep(200);
      const { reachedAll } = await child.request({ type: 'progress', minSeq: warmupFrom }, 'progress', 5000);
      if (reachedAll === options.subscribers) break;
      if (Date.now() > warmDeadline) throw new Error(`only ${reachedAll} of ${options.subscribers} subscribers live after warm-up`);
    }
    await sleep(500);

    const writes = Math.round((options.writesPerSecond * options.durationMs) / 1000);
    const intervalMs = 1000 / options.writesPerSecond;
    const subscribersPerEnv = fleet.map((_, e) => environmentIds.filter((id) => id === fleet[e]!.id).length);
    const writtenAt = new Map<number, number>();
    let expected = 0;
    let maxDriverLagMs = 0;
    let firstSeq = 0;
    child.send({ type: 'mark' });
    const queriesAtStart = (await scrapeMetrics(g.metricsOrigin)).sum('gantry_db_queries_total');
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const cpuAtStart = process.cpuUsage();
    const startedAt = epochMs();
    for (let k = 0; k < writes; k++) {
      const due = startedAt + k * intervalMs;
      const wait = due - epochMs();
      if (wait > 1) await sleep(wait);
      const env = fleet[k % fleet.length]!;
      const pod = env.pods[Math.floor(k / fleet.length) % env.pods.length]!;
      const seq = nextSeq();
      firstSeq ||= seq;
      const now = epochMs();
      maxDriverLagMs = Math.max(maxDriverLagMs, now - due);
      writtenAt.set(seq, now);
      stampPod(g.embedded.api, env.namespace, pod, seq);
      expected += subscribersPerEnv[k % fleet.length]!;
    }
    const elapsedMs = epochMs() - startedAt;

    // Drain: until every expected pair arrived, or nothing new came for 2 s (max 10 s).
    let last = -1;
    let stableSince = Date.now();
    const drainDeadline = Date.now() + 10_000;
    while (Date.now() < drainDeadline && Date.now() - stableSince < 2000) {
      const { pairs } = await child.request({ type: 'progress', minSeq: firstSeq }, 'progress', 5000);
      if (pairs >= expected) break;
      if (pairs !== last) [last, stableSince] = [pairs, Date.now()];
      await sleep(100);
    }
    const cpu = process.cpuUsage(cpuAtStart);
    const wallMs = epochMs() - startedAt;
    loopDelay.disable();
    const queries = (await scrapeMetrics(g.metricsOrigin)).sum('gantry_db_queries_total') - queriesAtStart;
    const report = await child.request({ type: 'report' }, 'report', 20_000);

    const latencies: number[] = [];
    for (let i = 0; i < report.arrivals.length; i += 3) {
      const written = writtenAt.get(report.arrivals[i + 1]!);
      if (written !== undefined) latencies.push(report.arrivals[i + 2]! - written);
    }
    return {
      operation: options.operation,
      writes,
      achievedRate: (writes - 1) / (elapsedMs / 1000),
      maxDriverLagMs,
      expected,
      received: latencies.length,
      frames: report.frames.reduce((a, b) => a + b, 0),
      unstampedFrames: report.unstampedFrames,
      frameBytes: report.frameBytes,
      latency: distribution(latencies),
      serverCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      clientCpuPercent: (report.cpuMs / wallMs) * 100,
      serverCpuMsPerWrite: (cpu.user + cpu.system) / 1000 / writes,
      eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      eventLoopDelayMaxMs: loopDelay.max / 1e6,
      dbQueriesPerSecond: queries / (wallMs / 1000),
      errors: report.errors,
    };
  } finally {
    child.send({ type: 'close' });
    await child.stop();
  }
}
