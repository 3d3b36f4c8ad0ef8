/**
 * The Gantry agent: follows its host's desired state over graphql-ws (`vmDesiredState`, the
 * platform's own API with the host token) and makes the machine run it: download, verify,
 * unpack, start beside the running release, health-check, switch the proxy and the `current`
 * symlink, stop the old process once drained, keep two releases. It reports what it runs
 * (`reportVmHostStatus`) on every change and every few seconds (Gantry's "last contact").
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { AppProcess, stopLeftovers, type RunSpec } from './app-process.ts';
import type { AgentArgs } from './args.ts';
import { SwitchingProxy } from './proxy.ts';
import { DigestMismatch, ReleaseStore } from './releases.ts';

/** `vmDesiredState` as the agent reads it. */
export interface DesiredState {
  version: string | null;
  tarballUrl: string | null;
  digest: string | null;
  run: RunSpec | null;
  env: { name: string; value: string }[];
  files: { path: string; content: string }[];
  retired: boolean;
}

const DESIRED = `subscription { vmDesiredState { version tarballUrl digest run { command healthPath } env { name value } files { path content } retired } }`;
const REPORT = `mutation($i: VmHostReportInput!) { reportVmHostStatus(input: $i) { status } }`;
const RUN_FILE = '.gantry-run.json';
const HEARTBEAT_MS = 3_000;
const HEALTH_TIMEOUT_MS = 30_000;

/** Exponential backoff with full jitter: 0.5 s doubling to 30 s. */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(30_000, 500 * 2 ** Math.min(attempt, 10)));
}

export class GantryAgent {
  private readonly store: ReleaseStore;
  private readonly proxy = new SwitchingProxy();
  private app: AppProcess | null = null;
  private previousVersion: string | null = null;
  private message: string | null = null;
  private client: Client | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private latest: DesiredState | null = null;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly args: AgentArgs,
    private readonly log: (line: string) => void = (line) => console.log(line),
  ) {
    this.store = new ReleaseStore(args.dir);
  }

  /** Starts serving (the current release, if any, at once) and follows the desired state. */
  async start(): Promise<void> {
    await this.store.init();
    await stopLeftovers(this.args.dir);
    await this.proxy.listen(this.args.port);
    await this.resume();
    this.heartbeat = setInterval(() => void this.report(), HEARTBEAT_MS);
    const wsUrl = this.args.url.replace(/^http/, 'ws');
    this.client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      keepAlive: 10_000,
      connectionParams: { authorization: `Bearer ${this.args.token}` },
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => !this.stopped,
      retryWait: (retries) => new Promise((r) => setTimeout(r, backoffMs(retries))),
    });
    this.follow(0);
    void this.report();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.unsubscribe?.();
    await this.client?.dispose();
    await this.queue.catch(() => undefined);
    await this.proxy.close();
    await this.app?.stop();
  }

  /** The version serving now (tests and the log). */
  get version(): string | null {
    return this.app?.version ?? null;
  }

  private follow(attempt: number): void {
    if (this.stopped || !this.client) return;
    let received = false;
    const again = () => {
      if (this.stopped) return;
      const wait = backoffMs(received ? 0 : attempt + 1);
      setTimeout(() => this.follow(received ? 0 : attempt + 1), wait);
    };
    this.unsubscribe = this.client.subscribe<{ vmDesiredState: DesiredState }>(
      { query: DESIRED },
      {
        next: ({ data, errors }) => {
          if (errors?.length || !data) return this.log(`desired state refused: ${errors?.[0]?.message ?? 'no data'}`);
          received = true;
          this.latest = data.vmDesiredState;
          this.enqueue();
        },
        error: (error) => {
          this.log(`desired state stream failed: ${(error as Error)?.message ?? 'connection closed'}; retrying`);
          again();
        },
        complete: again,
      },
    );
  }

  /** Converges on the latest desired state, one step at a time (a newer state replaces an older one waiting). */
  private enqueue(): void {
    this.queue = this.queue.then(async () => {
      const desired = this.latest;
      if (!desired || this.stopped) return;
      try {
        await this.converge(desired);
      } catch (error) {
        // Prefixed with the version it concerns: Gantry fails that release's rollout, not a later one.
        this.message = `${desired.version ?? 'agent'}: ${(error as Error).message}`.slice(0, 500);
        this.log(this.message);
      }
      await this.report();
    });
  }

  private async converge(desired: DesiredState): Promise<void> {
    if (desired.retired) {
      if (this.app) {
        this.log('pool retired: stopping the app');
        await this.proxy.clear();
        await this.app.stop();
        this.app = null;
      }
      this.message = null;
      return;
    }
    if (!desired.version || !desired.tarballUrl || !desired.digest || !desired.run) return;
    if (this.app?.version === desired.version && this.app.running) {
      this.message = null;
      return;
    }
    const variables: Record<string, string> = Object.fromEntries(desired.env.map((v) => [v.name, v.value]));
    const kept = (await this.store.has(desired.version, desired.digest)) ? desired.version : await this.store.adopt(desired.version, desired.digest);
    if (kept && kept !== desired.version) this.log(`${desired.version} is the tarball of kept ${kept}: switching without a download`);
    if (!kept) {
      this.log(`downloading ${desired.version}`);
      // Artifact references are paths on Gantry's API; the token is never sent to another origin.
      const url = new URL(desired.tarballUrl, this.args.url);
      if (url.origin !== new URL(this.args.url).origin) throw new Error(`refused to download ${desired.version} from another origin than Gantry's`);
      try {
        await this.store.fetch(desired.version, url.toString(), desired.digest, this.args.token);
      } catch (error) {
        if (error instanceof DigestMismatch) throw error;
        throw new Error(`could not download ${desired.version}: ${(error as Error).message}`);
      }
    }
    const env = { ...variables, GANTRY_CONFIG_DIR: await this.store.writeConfigFiles(desired.version, desired.files) };
    // The environment holds the app's secrets: readable by the agent's user only.
    const runFile = join(this.store.releaseDir(desired.version), RUN_FILE);
    await writeFile(runFile, JSON.stringify({ run: desired.run, env }), { mode: 0o600 });
    await chmod(runFile, 0o600);
    await this.switchTo(desired.version, desired.run, env);
  }

  /** Starts `version` beside the running one; switches only once it is healthy. */
  private async switchTo(version: string, run: RunSpec, env: Record<string, string>): Promise<void> {
    const next = await AppProcess.start({ version, releaseDir: this.store.releaseDir(version), run, env, publicPort: this.args.port, stateDir: this.args.dir, log: this.log });
    if (!(await next.waitHealthy(HEALTH_TIMEOUT_MS))) {
      await next.stop();
      throw new Error(`release ${version} did not answer 200 on ${run.healthPath} within ${HEALTH_TIMEOUT_MS / 1000} s; still running ${this.app?.version ?? 'nothing'}`);
    }
    const old = this.app;
    this.app = next;
    await this.store.switchCurrent(version);
    await this.proxy.switchTo(next.port);
    this.previousVersion = old?.version ?? this.previousVersion;
    await old?.stop();
    this.message = null;
    await this.store.prune([version, this.previousVersion]);
    this.log(`running ${version}`);
  }

  /** After a restart: the release `current` points at runs again at once, from its verified files. */
  private async resume(): Promise<void> {
    const version = await this.store.current();
    if (!version) return;
    // The release kept before this one stays kept across a restart (switchTo prunes the rest).
    this.previousVersion = await this.store.previous(version);
    const saved = await readFile(join(this.store.releaseDir(version), RUN_FILE), 'utf8').catch(() => null);
    if (!saved) return;
    const { run, env } = JSON.parse(saved) as { run: RunSpec; env: Record<string, string> };
    try {
      await this.switchTo(version, run, env);
    } catch (error) {
      this.message = (error as Error).message.slice(0, 500);
    }
  }

  private async report(): Promise<void> {
    if (this.stopped) return;
    const healthy = this.app ? await this.app.healthy() : false;
    try {
      const res = await fetch(this.args.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.args.token}` },
        body: JSON.stringify({ query: REPORT, variables: { i: { version: this.app?.version ?? null, healthy, port: this.args.port, host: this.args.host, message: this.message } } }),
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
    } catch {
      // Gantry unreachable: the next heartbeat tries again; the app keeps serving meanwhile.
    }
  }
}
