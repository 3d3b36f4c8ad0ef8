import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll } from 'vitest';
import { eventually, kubectl } from './cluster.ts';
import { aProject, anApp, anEnvironment } from './fixtures.ts';
import { startTestServer, type GraphQLResponse, type TestServer } from './server.ts';

/** Server options of every release suite: the engine ticks every 100 ms, the embedded cluster runs 50× fast. */
export const FAST_RELEASES = { env: { GANTRY_RELEASE_TICK_MS: '100' }, start: { clusters: undefined, embedded: { timeScale: 0.02 } } };

export const RELEASE_FIELDS = `id status statusMessage version image strategy currentStepIndex declaredWeight appliedWeight isRollback
  steps { index weight untilPromoted pauseSeconds status } finishedAt`;

export type Router = 'ISTIO' | 'GATEWAY_API';

/** An environment of a new app in a new project, with what the cluster assertions need. */
export interface ReleaseEnv {
  id: string;
  namespace: string;
  app: string;
  router: Router;
  projectId: string;
}

/**
 * Starts a FAST_RELEASES server (the embedded cluster, sped up) for the enclosing `describe`,
 * hands it to `use` before the first test, and closes it after the last.
 */
export function withReleaseServer(use: (server: TestServer) => void): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(FAST_RELEASES);
    use(server);
  });
  afterAll(() => server?.close());
}

/** A protected `prod` environment of app `shop` (2 replicas) with a stable r1 serving all traffic. */
export async function aStableEnvironment(t: TestServer): Promise<ReleaseEnv> {
  const env = await aReleaseEnvironment(t, 'shop', { name: 'prod', replicas: 2, protected: true });
  await aSucceededRelease(t, env, { image: 'registry.local/shop:1.0' });
  return env;
}

/** A new project, app and environment (as admin); `input` goes to createEnvironment. */
export async function aReleaseEnvironment(t: TestServer, app: string, input: Record<string, unknown> = {}): Promise<ReleaseEnv> {
  const project = await aProject(t);
  const created = await anApp(t, project.id, app);
  const env = await anEnvironment(t, created.id, input);
  return { id: env.id, namespace: env.namespace, app, router: (input.router as Router | undefined) ?? 'ISTIO', projectId: project.id };
}

export async function createRelease(t: TestServer, input: Record<string, unknown>, token?: string): Promise<any> {
  const data = await t.ok(`mutation($i: CreateReleaseInput!) { createRelease(input: $i) { ${RELEASE_FIELDS} } }`, { i: input }, token);
  return data.createRelease;
}

/** createRelease without throwing: the raw response, for error assertions. */
export function tryCreateRelease(t: TestServer, input: Record<string, unknown>, token?: string): Promise<GraphQLResponse> {
  return t.gql(`mutation($i: CreateReleaseInput!) { createRelease(input: $i) { ${RELEASE_FIELDS} } }`, { i: input }, token);
}

/** Release commands by mutation name, as the API spells their arguments. */
export const COMMANDS = {
  promoteRelease: 'mutation($id: ID!, $expectedStepIndex: Int) { promoteRelease(id: $id, expectedStepIndex: $expectedStepIndex) { %F } }',
  promoteReleaseFully: 'mutation($id: ID!) { promoteReleaseFully(id: $id) { %F } }',
  pauseRelease: 'mutation($id: ID!) { pauseRelease(id: $id) { %F } }',
  resumeRelease: 'mutation($id: ID!) { resumeRelease(id: $id) { %F } }',
  abortRelease: 'mutation($id: ID!, $reason: String) { abortRelease(id: $id, reason: $reason) { %F } }',
  rollbackEnvironment: 'mutation($environmentId: ID!, $toReleaseId: ID) { rollbackEnvironment(environmentId: $environmentId, toReleaseId: $toReleaseId) { %F } }',
} as const;
export type CommandName = keyof typeof COMMANDS;

/** Runs a release command; the raw response (check `errors` yourself). */
export function tryCommand(t: TestServer, name: CommandName, variables: Record<string, unknown>, token?: string): Promise<GraphQLResponse> {
  return t.gql(COMMANDS[name].replace('%F', RELEASE_FIELDS), variables, token);
}

/** Runs a release command; resolves with the release it returns, throws on any error. */
export async function command(t: TestServer, name: CommandName, variables: Record<string, unknown>, token?: string): Promise<any> {
  const data = await t.ok(COMMANDS[name].replace('%F', RELEASE_FIELDS), variables, token);
  return data[name];
}

/** The first error's code and `extensions.field`, or `{ code: 'ok' }`. */
export function errorOf(res: GraphQLResponse): { code: string; field?: string; message?: string } {
  const error = res.errors?.[0];
  if (!error) return { code: 'ok' };
  return { code: String(error.extensions?.code), field: error.extensions?.field, message: error.message };
}

export async function releaseOf(t: TestServer, id: string): Promise<any> {
  return (await t.ok(`query($id: ID!) { release(id: $id) { ${RELEASE_FIELDS} } }`, { id })).release;
}

/**
 * Polls until `check` returns a truthy value; resolves with it. Like `eventually`, at a pace that
 * leaves the server (which runs the engine and the embedded cluster too) time to work.
 */
export function poll<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000, intervalMs = 150): Promise<NonNullable<T>> {
  return eventually(check, timeoutMs, what, intervalMs);
}

/** Polls until the release satisfies `check`; resolves with it. The last state read is in the timeout error. */
export async function releaseUntil(t: TestServer, id: string, check: (r: any) => boolean, what: string, timeoutMs = 30_000): Promise<any> {
  let last: any = null;
  try {
    return await poll(async () => {
      last = await releaseOf(t, id);
      return check(last) ? last : null;
    }, what, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; release: ${JSON.stringify(last && { status: last.status, statusMessage: last.statusMessage, step: last.currentStepIndex, declared: last.declaredWeight, applied: last.appliedWeight })}`);
  }
}

/**
 * Creates a release in `env` and waits until it SUCCEEDED and the cluster's router sends all
 * traffic to the stable track (e.g. an environment's first release, before a test starts).
 */
export async function aSucceededRelease(t: TestServer, env: ReleaseEnv, input: Record<string, unknown>): Promise<any> {
  const release = await createRelease(t, { environmentId: env.id, ...input });
  const done = await releaseUntil(t, release.id, (r) => r.status === 'SUCCEEDED', `release of ${String(input.image)} SUCCEEDED`);
  await clusterRouteIs(t, env, { stableWeight: 100, canaryWeight: 0, ...(done.strategy === 'CANARY' ? { stableVersion: done.version } : {}) });
  return done;
}

/** Waits until a canary release holds at the gate of step `index`, its weight read back. */
export function atGate(t: TestServer, id: string, index: number): Promise<any> {
  return releaseUntil(t, id, (r) => r.status === 'PAUSED' && r.currentStepIndex === index && r.appliedWeight === r.steps[index].weight, `paused at the gate of step ${index}`);
}

export interface ReleaseEventNode {
  cursor: string;
  sequence: number;
  type: string;
  weight: number | null;
  stepIndex: number | null;
  message: string;
}

/** The release's event log through `Release.events`. */
export async function eventLog(t: TestServer, id: string): Promise<ReleaseEventNode[]> {
  const data = await t.ok(`query($id: ID!) { release(id: $id) { events(first: 100) { nodes { cursor sequence type weight stepIndex message } } } }`, { id });
  return data.release.events.nodes;
}

/** Event types of the log, in order. */
export async function eventTypes(t: TestServer, id: string): Promise<string[]> {
  return (await eventLog(t, id)).map((e) => e.type);
}

/** The router as read back from the cluster with kubectl: weights and which version each track selects. */
export interface ClusterRoute {
  stableWeight: number;
  /** 0 when the route has no canary destination. */
  canaryWeight: number;
  stableVersion: string | null;
  canaryVersion: string | null;
}

const VERSION_LABEL = 'app.kubernetes.io/version';

/**
 * Reads the VirtualService and DestinationRule (or HTTPRoute and track Services) with one kubectl
 * call; null when there is no router object.
 */
export async function clusterRoute(t: TestServer, env: Pick<ReleaseEnv, 'namespace' | 'app' | 'router'>): Promise<ClusterRoute | null> {
  const { namespace, app, router } = env;
  const names = router === 'ISTIO'
    ? [`virtualservices/${app}`, `destinationrules/${app}`]
    : [`httproutes/${app}`, `services/${app}-stable`, `services/${app}-canary`];
  const out = await kubectl(t, 'get', ...names, '-n', namespace, '-o', 'json', '--ignore-not-found');
  const items: any[] = out.trim() ? JSON.parse(out).items : [];
  const find = (kind: string, name: string) => items.find((o) => o.kind === kind && o.metadata.name === name) ?? null;
  if (router === 'ISTIO') {
    const vs = find('VirtualService', app);
    if (!vs) return null;
    const dr = find('DestinationRule', app);
    const route: any[] = vs.spec.http[0].route;
    const subset = (name: string) => dr?.spec.subsets.find((s: any) => s.name === name)?.labels?.[VERSION_LABEL] ?? null;
    return {
      stableWeight: route.find((r) => r.destination.subset === 'stable')?.weight ?? 0,
      canaryWeight: route.find((r) => r.destination.subset === 'canary')?.weight ?? 0,
      stableVersion: subset('stable'),
      canaryVersion: route.some((r) => r.destination.subset === 'canary') ? subset('canary') : null,
    };
  }
  const httpRoute = find('HTTPRoute', app);
  if (!httpRoute) return null;
  const refs: any[] = httpRoute.spec.rules[0].backendRefs;
  const track = (name: string) => find('Service', `${app}-${name}`)?.spec.selector?.[VERSION_LABEL] ?? null;
  const canaryRef = refs.find((r) => r.name === `${app}-canary`);
  return {
    stableWeight: refs.find((r) => r.name === `${app}-stable`)?.weight ?? 0,
    canaryWeight: canaryRef?.weight ?? 0,
    stableVersion: track('stable'),
    canaryVersion: canaryRef ? track('canary') : null,
  };
}

/**
 * Polls kubectl until the router has every field of `expected` (effects run after the state that
 * asks for them is committed, so the cluster follows a status change shortly after).
 */
export async function clusterRouteIs(t: TestServer, env: Pick<ReleaseEnv, 'namespace' | 'app' | 'router'>, expected: Partial<ClusterRoute>, timeoutMs = 15_000): Promise<ClusterRoute> {
  let last: ClusterRoute | null = null;
  try {
    return await poll(async () => {
      last = await clusterRoute(t, env);
      const route = last;
      return route && Object.entries(expected).every(([key, value]) => route[key as keyof ClusterRoute] === value) ? route : null;
    }, `cluster route ${JSON.stringify(expected)}`, timeoutMs, 200);
  } catch (error) {
    throw new Error(`${(error as Error).message}; last read: ${JSON.stringify(last)}`);
  }
}

/** Canary weight as read back from the cluster with kubectl: VirtualService or HTTPRoute. */
export async function clusterCanaryWeight(t: TestServer, namespace: string, app: string, router: Router = 'ISTIO'): Promise<number | null> {
  return (await clusterRoute(t, { namespace, app, router }))?.canaryWeight ?? null;
}

/** A Deployment as `kubectl get deploy` shows it. */
export interface ClusterDeployment {
  name: string;
  version: string | null;
  image: string;
  replicas: number;
  readyReplicas: number;
  strategy: string;
}

/** The namespace's Deployments, by name, read with kubectl. */
export async function clusterDeployments(t: TestServer, namespace: string): Promise<Record<string, ClusterDeployment>> {
  const list = JSON.parse(await kubectl(t, 'get', 'deployments', '-n', namespace, '-o', 'json'));
  const out: Record<string, ClusterDeployment> = {};
  for (const d of list.items as any[]) {
    out[d.metadata.name] = {
      name: d.metadata.name,
      version: d.spec.template.metadata.labels?.[VERSION_LABEL] ?? null,
      image: d.spec.template.spec.containers[0].image,
      replicas: d.spec.replicas,
      readyReplicas: d.status?.readyReplicas ?? 0,
      strategy: d.spec.strategy?.type,
    };
  }
  return out;
}

/** Polls kubectl until the namespace has no Deployment called `name`. */
export async function deploymentGone(t: TestServer, namespace: string, name: string, timeoutMs = 15_000): Promise<void> {
  await poll(async () => !(name in (await clusterDeployments(t, namespace))), `Deployment ${name} removed`, timeoutMs);
}

/** Polls kubectl until the router reads `canaryWeight` for the canary. */
export function clusterWeightIs(t: TestServer, env: Pick<ReleaseEnv, 'namespace' | 'app' | 'router'>, canaryWeight: number, timeoutMs = 15_000): Promise<ClusterRoute> {
  return clusterRouteIs(t, env, { canaryWeight }, timeoutMs);
}

/**
 * Every change to the environment's Istio router and pods, through `kubectl get -w` streams, put
 * in the cluster's own order (resourceVersion, one counter for all objects) and replayed: a moment
 * when a route with weight goes to a subset without a ready, non-terminating pod is a violation.
 */
export interface TrafficWatch {
  /** Stops the watches and returns what they saw. */
  stop(): Promise<TrafficReplay>;
}

export interface TrafficReplay {
  /** Canary weights in the order the router carried them (consecutive repeats collapsed). */
  canaryWeights: number[];
  /** Human-readable moments when traffic went to a subset without ready pods. */
  violations: string[];
  /** Pod changes in cluster order. */
  pods: { rv: number; type: string; name: string; version: string; ready: boolean; deleting: boolean }[];
  /** Number of router and pod changes seen after the initial listing (a watch that saw nothing proves nothing). */
  changes: number;
}

/**
 * Starts watching the environment's Istio router and pods; see {@link TrafficWatch}. Resolves once
 * every stream has listed what exists (the router and pods must exist already).
 */
export async function watchTraffic(t: TestServer, env: Pick<ReleaseEnv, 'namespace' | 'app'>): Promise<TrafficWatch> {
  const kubeconfig = join(t.server.config.dataDir, 'kubeconfig');
  const lines: string[] = [];
  const failures: string[] = [];
  let stopping = false;
  const start = (kind: string, template: string) => {
    const args = ['--kubeconfig', kubeconfig, 'get', kind, '-n', env.namespace, '-w', '--output-watch-events', '-o', `jsonpath=${template}{"\\n"}`];
    const child = spawn('kubectl', args);
    child.stderr.on('data', (chunk: Buffer) => failures.push(`kubectl get ${kind} -w: ${String(chunk).trim()}`));
    // `kubectl get -w` ends when its watch does: every change after that would go unseen.
    child.on('exit', (code) => stopping || failures.push(`kubectl get ${kind} -w exited early (${code})`));
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts.filter(Boolean).map((p) => `${kind} ${p}`));
    });
    return child;
  };
  // One field per track, picked by name (kubectl's jsonpath `range` ends a watch after its first event).
  const meta = '{.type} {.object.metadata.resourceVersion} {.object.metadata.name}';
  const version = 'app\\.kubernetes\\.io/version';
  const route = (track: string) => `{.object.spec.http[0].route[?(@.destination.subset=="${track}")].weight}`;
  const subset = (track: string) => `{.object.spec.subsets[?(@.name=="${track}")].name}:{.object.spec.subsets[?(@.name=="${track}")].labels.${version}}`;
  const children = [
    start('virtualservices', `${meta} ${route('stable')} ${route('canary')}`),
    start('destinationrules', `${meta} ${subset('stable')} ${subset('canary')}`),
    start('pods', `${meta} {.object.metadata.labels.${version}} {.object.status.conditions[?(@.type=="Ready")].status} {.object.metadata.deletionTimestamp}`),
  ];
  const kinds = ['virtualservices', 'destinationrules', 'pods'];
  await poll(() => {
    if (failures.length > 0) throw new Error(failures.join('; '));
    return kinds.every((kind) => lines.some((line) => line.startsWith(`${kind} `)));
  }, 'kubectl watches listing', 30_000).catch((error) => {
    stopping = true;
    for (const child of children) child.kill();
    throw error;
  });
  // What the initial listings show is one snapshot, not a sequence: objects there carry their
  // latest resourceVersion, whatever order they changed in. Check the invariant only after it.
  await new Promise((r) => setTimeout(r, 200));
  const baseline = Math.max(...lines.map((line) => Number(line.split(' ')[2])));
  return {
    async stop() {
      // Let in-flight watch events arrive before the streams are cut.
      await new Promise((r) => setTimeout(r, 300));
      stopping = true;
      for (const child of children) child.kill();
      if (failures.length > 0) throw new Error(`the traffic watch missed changes: ${failures.join('; ')}`);
      return replayTraffic(lines, env.app, baseline);
    },
  };
}

function replayTraffic(lines: string[], app: string, baseline: number): TrafficReplay {
  const parsed = lines.map((line) => {
    const [kind, type, rv, name, ...rest] = line.split(' ');
    return { kind: kind!, type: type!, rv: Number(rv), name: name!, rest };
  });
  parsed.sort((a, b) => a.rv - b.rv);
  let weights = new Map<string, string>();
  let subsets = new Map<string, string>();
  const live = new Map<string, { version: string; serving: boolean }>();
  const pods: TrafficReplay['pods'] = [];
  const canaryWeights: number[] = [];
  const violations: string[] = [];
  for (const e of parsed) {
    if (e.kind === 'virtualservices' && e.name === app && e.type !== 'DELETED') {
      // "<stable weight> <canary weight>", either empty when the route has no such destination.
      weights = new Map();
      ['stable', 'canary'].forEach((track, i) => e.rest[i] && weights.set(track, e.rest[i]!));
      const canary = Number(weights.get('canary') ?? 0);
      if (canaryWeights.at(-1) !== canary) canaryWeights.push(canary);
    } else if (e.kind === 'destinationrules' && e.name === app && e.type !== 'DELETED') {
      // "<name>:<version> <name>:<version>", ":" alone when there is no such subset.
      subsets = new Map();
      for (const field of e.rest.slice(0, 2)) {
        const [name = '', label = ''] = field.split(':');
        if (name) subsets.set(name, label);
      }
    } else if (e.kind === 'pods') {
      const [version = '', ready = '', deleting = ''] = e.rest;
      pods.push({ rv: e.rv, type: e.type, name: e.name, version, ready: ready === 'True', deleting: deleting !== '' });
      if (e.type === 'DELETED') live.delete(e.name);
      else live.set(e.name, { version, serving: ready === 'True' && !deleting });
    } else {
      continue;
    }
    if (e.rv <= baseline) continue;
    for (const [subset, weight] of weights) {
      if (Number(weight) <= 0) continue;
      // A subset without a version label selects every pod of the app (ROLLING/RECREATE).
      const version = subsets.get(subset);
      const serving = [...live.values()].filter((p) => p.serving && (version === '' || p.version === version)).length;
      if (version === undefined || serving === 0) {
        const pods = [...live.entries()].map(([name, p]) => `${name}=${p.version}/${p.serving ? 'serving' : 'not serving'}`).join(' ');
        violations.push(`rv ${e.rv} (${e.kind} ${e.type} ${e.name}): ${weight}% to ${subset} (${version ?? 'no subset'}) with no ready pod [${pods}]`);
      }
    }
  }
  return { canaryWeights, violations, pods, changes: parsed.filter((e) => e.rv > baseline).length };
}

/** Collects releaseProgress events over graphql-ws until completion. */
export function collectProgress(client: Client, releaseId: string, after?: string): { events: any[]; done: Promise<void>; stop: () => void } {
  const events: any[] = [];
  let stop = () => {};
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe(
      { query: 'subscription($id: ID!, $after: String) { releaseProgress(releaseId: $id, after: $after) { cursor sequence type weight stepIndex } }', variables: { id: releaseId, after } },
      { next: (m) => (m.errors ? reject(new Error(JSON.stringify(m.errors))) : events.push(m.data?.releaseProgress)), error: reject, complete: resolve },
    );
  });
  return { events, done, stop };
}

/** Project audit entries, newest first as the API returns them. */
export async function auditLog(t: TestServer, projectId: string): Promise<{ action: string; targetType: string; targetId: string | null; actor: { login: string } | null }[]> {
  const data = await t.ok(`query($id: ID!) { node(id: $id) { ... on Project { auditLog(first: 100) { nodes { action targetType targetId actor { login } } } } } }`, { id: projectId });
  return data.node.auditLog.nodes;
}
