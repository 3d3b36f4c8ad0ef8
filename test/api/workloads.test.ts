import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentManifest, namespaceManifest, routerManifests, serviceManifest, versionSelector, type WorkloadTarget } from '../../services/cluster/manifests.ts';
import { eventually, kubectl, withEmbeddedCluster } from '../support/cluster.ts';
import { aProject, aUser, addMember, anApp, anEnvironment } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const WORKLOAD = `query($id: ID!) { node(id: $id) { ... on Environment { workload {
  desiredReplicas readyReplicas versions { version image replicas readyReplicas trafficWeight }
  pods { name version phase ready restarts node startedAt } } } } }`;

describe('live workloads from the cluster watch', () => {
  let t: TestServer;
  let env: { id: string; namespace: string };
  let target: WorkloadTarget;
  let project: { id: string; slug: string };

  beforeAll(async () => {
    t = await startTestServer(withEmbeddedCluster);
    project = await aProject(t);
    const app = await anApp(t, project.id, 'web');
    env = await anEnvironment(t, app.id, { name: 'prod', replicas: 3 });
    target = { namespace: env.namespace, app: 'web', environment: 'prod' };
    // What a release does (issue 4 drives this through the API): namespace, Deployment, Service, router.
    const port = t.server.clusters.port('embedded')!;
    await port.apply(namespaceManifest(target));
    await port.apply(deploymentManifest(target, 'v1', 'registry.local/web:1.0', 3));
    await port.apply(serviceManifest(target));
    for (const m of routerManifests(target, 'ISTIO', { stable: versionSelector(target, 'v1'), canary: null, canaryWeight: 0 })) await port.apply(m);
  });
  afterAll(() => t.close());

  it('should report the embedded cluster CONNECTED with its version', async () => {
    const data = await t.ok('{ clusters { name status version lastSyncAt } }');
    expect(data.clusters).toEqual([{ name: 'embedded', status: 'CONNECTED', version: expect.stringMatching(/^v1\./), lastSyncAt: expect.any(String) }]);
  });

  it('should answer Environment.workload from the watch cache, with weights read back from the VirtualService', async () => {
    const workload = await eventually(async () => {
      const data = await t.ok(WORKLOAD, { id: env.id });
      const w = data.node.workload;
      return w.readyReplicas === 3 ? w : null;
    });
    expect(workload.desiredReplicas).toBe(3);
    expect(workload.versions).toEqual([{ version: 'v1', image: 'registry.local/web:1.0', replicas: 3, readyReplicas: 3, trafficWeight: 100 }]);
    expect(workload.pods).toHaveLength(3);
    expect(workload.pods[0]).toMatchObject({ version: 'v1', phase: 'RUNNING', ready: true, restarts: 0, node: expect.any(String) });
  });

  it('should let kubectl see what Gantry created', async () => {
    const deployments = JSON.parse(await kubectl(t, 'get', 'deployments', '-n', env.namespace, '-o', 'json'));
    expect(deployments.items.map((d: any) => d.metadata.name)).toEqual(['web-v1']);
    expect(deployments.items[0].metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/instance': 'web-prod',
      'app.kubernetes.io/managed-by': 'gantry',
      'app.kubernetes.io/version': 'v1',
    });
    const vs = await kubectl(t, 'get', 'virtualservices', 'web', '-n', env.namespace, '-o', 'jsonpath={.spec.http[0].route[0].weight}');
    expect(vs).toBe('100');
  });

  it('should push kubectl scale and pod deletion to workloadChanged and podEvents subscribers', async () => {
    const client = t.ws();
    const workloads: any[] = [];
    const podEvents: any[] = [];
    const stopWorkload = client.subscribe(
      { query: 'subscription($id: ID!) { workloadChanged(environmentId: $id) { desiredReplicas readyReplicas pods { name ready } } }', variables: { id: env.id } },
      { next: (m) => workloads.push(m.data?.workloadChanged), error: () => {}, complete: () => {} },
    );
    const stopPods = client.subscribe(
      { query: 'subscription($id: ID!) { podEvents(environmentId: $id) { type pod { name phase ready } } }', variables: { id: env.id } },
      { next: (m) => podEvents.push(m.data?.podEvents), error: () => {}, complete: () => {} },
    );
    await eventually(() => workloads.length > 0, 5000, 'initial workload');
    expect(workloads[0].desiredReplicas).toBe(3);

    await kubectl(t, 'scale', 'deployment/web-v1', '-n', env.namespace, '--replicas=5');
    await eventually(() => workloads.some((w) => w.desiredReplicas === 5 && w.readyReplicas === 5), 15_000, 'scaled to 5 ready');

    const victim = workloads.at(-1).pods[0].name;
    await kubectl(t, 'delete', 'pod', victim, '-n', env.namespace, '--wait=false');
    await eventually(() => podEvents.some((e) => e.type === 'DELETED' && e.pod.name === victim), 15_000, 'pod DELETED event');
    await eventually(() => podEvents.some((e) => e.type === 'ADDED' && e.pod.name !== victim), 15_000, 'replacement pod ADDED');
    await eventually(() => {
      const last = workloads.at(-1);
      return last.readyReplicas === 5 && !last.pods.some((p: any) => p.name === victim);
    }, 15_000, 'back to 5 ready without the deleted pod');
    stopWorkload();
    stopPods();
  });

  it('should give every subscriber of an environment the same workloads and pod events, and a late one the current workload', async () => {
    const viewer = await aUser(t);
    await addMember(t, project.id, viewer.login, 'VIEWER');
    const query = 'subscription($id: ID!) { workloadChanged(environmentId: $id) { desiredReplicas readyReplicas pods { name ready } } }';
    const podQuery = 'subscription($id: ID!) { podEvents(environmentId: $id) { type pod { name ready } } }';
    // Two subscribers share a token (and so, inside the server, one execution per change); the third is someone else.
    const clients = [t.ws(), t.ws(), t.ws(viewer.token)];
    const workloads = clients.map(() => [] as any[]);
    const pods = clients.map(() => [] as any[]);
    const stops = clients.flatMap((client, i) => [
      client.subscribe({ query, variables: { id: env.id } }, { next: (m) => workloads[i]!.push(m.data?.workloadChanged), error: () => {}, complete: () => {} }),
      client.subscribe({ query: podQuery, variables: { id: env.id } }, { next: (m) => pods[i]!.push(m.data?.podEvents), error: () => {}, complete: () => {} }),
    ]);
    await eventually(() => workloads.every((w) => w.length > 0), 5000, 'initial workload for everyone');
    // Every subscription is in place by now; pod events from here on must reach all three alike.
    await new Promise((r) => setTimeout(r, 300));
    const baseline = pods.map((p) => p.length);
    const before = await t.ok(WORKLOAD, { id: env.id });
    const replicas = before.node.workload.desiredReplicas === 4 ? 2 : 4;

    await kubectl(t, 'scale', 'deployment/web-v1', '-n', env.namespace, `--replicas=${replicas}`);
    const settled = (w: any[]) => w.at(-1)?.desiredReplicas === replicas && w.at(-1)?.readyReplicas === replicas && w.at(-1)?.pods.length === replicas;
    await eventually(() => workloads.every(settled), 15_000, `everyone sees ${replicas} ready`);
    await new Promise((r) => setTimeout(r, 300));
    expect(workloads[1]!.at(-1)).toEqual(workloads[0]!.at(-1));
    expect(workloads[2]!.at(-1)).toEqual(workloads[0]!.at(-1));
    const since = pods.map((p, i) => p.slice(baseline[i]));
    expect(since[0]!.length).toBeGreaterThan(0);
    expect(since[1]).toEqual(since[0]);
    expect(since[2]).toEqual(since[0]);

    const late: any[] = [];
    stops.push(t.ws().subscribe({ query, variables: { id: env.id } }, { next: (m) => late.push(m.data?.workloadChanged), error: () => {}, complete: () => {} }));
    await eventually(() => late.length > 0, 5000, 'late subscriber got the current workload');
    expect(late[0]).toEqual(workloads[0]!.at(-1));
    for (const stop of stops) stop();
  });

  it('should build the workload once per change however many connections subscribe to it', async () => {
    const builds = async () => {
      const text = await t.scrape();
      return Number(text.split('\n').find((l) => l.startsWith('gantry_workload_builds_total '))?.split(' ')[1]);
    };
    const query = 'subscription($id: ID!) { workloadChanged(environmentId: $id) { desiredReplicas readyReplicas } }';
    // Six connections, as six browser tabs would open: each its own socket and subscription.
    const frames = Array.from({ length: 6 }, () => [] as any[]);
    const stops = frames.map((mine) => t.ws().subscribe({ query, variables: { id: env.id } }, { next: (m) => mine.push(m.data?.workloadChanged), error: () => {}, complete: () => {} }));
    await eventually(() => frames.every((f) => f.length > 0), 5000, 'initial workload for every connection');
    await new Promise((r) => setTimeout(r, 300));
    const before = await builds();
    const seen = frames[0]!.length;
    const current = frames[0]!.at(-1).desiredReplicas;
    // Never 2: the next test scales to 2 and needs that to be a change.
    const replicas = current === 4 ? 3 : 4;
    await kubectl(t, 'scale', 'deployment/web-v1', '-n', env.namespace, `--replicas=${replicas}`);
    await eventually(() => frames.every((f) => f.at(-1)?.desiredReplicas === replicas && f.at(-1)?.readyReplicas === replicas), 15_000, `everyone sees ${replicas} ready`);
    await new Promise((r) => setTimeout(r, 300));
    // One build per change is one frame per change for a subscriber: a build per subscriber would be six times as many.
    const changes = frames[0]!.length - seen;
    expect(changes).toBeGreaterThan(0);
    expect((await builds()) - before).toBeLessThanOrEqual(changes + 1);
    for (const stop of stops) stop();
  });

  it('should stop delivering to a subscriber removed from the project', async () => {
    const viewer = await aUser(t);
    await addMember(t, project.id, viewer.login, 'VIEWER');
    const client = t.ws(viewer.token);
    const received: any[] = [];
    const errors: any[] = [];
    client.subscribe(
      { query: 'subscription($id: ID!) { workloadChanged(environmentId: $id) { desiredReplicas } }', variables: { id: env.id } },
      { next: (m) => (m.errors ? errors.push(...m.errors) : received.push(m.data?.workloadChanged)), error: (e) => errors.push(e), complete: () => {} },
    );
    await eventually(() => received.length > 0, 5000, 'first workload for the viewer');
    await t.ok('mutation($p: ID!, $l: String!) { removeProjectMember(projectId: $p, login: $l) }', { p: project.id, l: viewer.login });
    const countAtRemoval = received.length;
    await kubectl(t, 'scale', 'deployment/web-v1', '-n', env.namespace, '--replicas=2');
    await eventually(() => errors.length > 0, 10_000, 'subscription ended with an error');
    expect(JSON.stringify(errors)).toContain('NOT_FOUND');
    await new Promise((r) => setTimeout(r, 300));
    expect(received.length).toBe(countAtRemoval);
  });

  it('should refuse to subscribe to an environment the caller cannot see', async () => {
    const outsider = await aUser(t);
    const client = t.ws(outsider.token);
    const error = await new Promise<any>((resolve) => {
      client.subscribe(
        { query: 'subscription($id: ID!) { workloadChanged(environmentId: $id) { desiredReplicas } }', variables: { id: env.id } },
        { next: (m) => resolve(m.errors?.[0]), error: (e) => resolve(Array.isArray(e) ? e[0] : e), complete: () => {} },
      );
    });
    expect(error.extensions.code).toBe('NOT_FOUND');
  });
});

describe('registered clusters', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(withEmbeddedCluster);
  });
  afterAll(() => t.close());

  it('should connect a cluster registered by an admin, store its kubeconfig encrypted and never show it', async () => {
    const kubeconfig = t.server.embedded!.kubeConfigYaml;
    const data = await t.ok('mutation($k: String!) { registerCluster(name: "second", kubeconfig: $k) { name status version } }', { k: kubeconfig });
    // Registration answers before the watches sync; the cluster turns CONNECTED in the background.
    expect(data.registerCluster.name).toBe('second');
    const listed = await eventually(async () => {
      const res = await t.ok<{ clusters: { name: string; status: string }[] }>('{ clusters { name status } }');
      return res.clusters.find((c) => c.name === 'second')?.status === 'CONNECTED' ? res : null;
    }, 15_000, 'second cluster CONNECTED');
    expect(listed.clusters.map((c) => c.name)).toEqual(['embedded', 'second']);
    const rows = await t.server.database.db.execute('select kubeconfig_ciphertext from clusters' as never);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('apiVersion');
    expect(text).toContain('v1.');
  });

  it('should refuse registration to non-admins, and bad kubeconfigs and duplicate names with clear codes', async () => {
    const user = await aUser(t);
    const kubeconfig = t.server.embedded!.kubeConfigYaml;
    const forbidden = await t.gql('mutation($k: String!) { registerCluster(name: "third", kubeconfig: $k) { name } }', { k: kubeconfig }, user.token);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await t.gql('mutation { registerCluster(name: "third", kubeconfig: "not: [a kubeconfig") { name } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kubeconfig' });
    const dup = await t.gql('mutation($k: String!) { registerCluster(name: "embedded", kubeconfig: $k) { name } }', { k: kubeconfig });
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const embedded = await t.gql('mutation { unregisterCluster(name: "embedded") { name } }');
    expect(embedded.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });
});
