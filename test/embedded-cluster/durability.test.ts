/**
 * Acknowledged writes survive kill -9: the cluster runs in its own process (`npm run cluster`'s
 * entry point), is written to over HTTP, killed with SIGKILL right after the 2xx, and started
 * again on the same data directory.
 */
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmbeddedCluster } from '../../embedded-cluster/index.ts';
import { startClusterProcess, type ChildServer } from '../support/processes.ts';
import { aConfigMap, eventually, FAST_TIME_SCALE, startTestCluster } from './helpers.ts';

let dataDir: string;
let child: ChildServer | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gantry-durability-'));
});
afterEach(async () => {
  await child?.kill();
  child = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

interface Api {
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any }>;
}

/** Starts the cluster process and returns a fetch client using its kubeconfig's server and token. */
async function startCluster(): Promise<Api> {
  const started = await startClusterProcess(dataDir, FAST_TIME_SCALE);
  child = started.process;
  const config = parse(await readFile(started.kubeconfig, 'utf8')) as { clusters: Array<{ cluster: { server: string } }>; users: Array<{ user: { token: string } }> };
  const server = config.clusters[0]?.cluster.server ?? '';
  const token = config.users[0]?.user.token ?? '';
  return {
    async request(method, path, body, contentType = 'application/json') {
      const response = await fetch(`${server}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
  };
}

async function crash(): Promise<void> {
  await child?.kill('SIGKILL');
  child = undefined;
}

const virtualService = (weight: number) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    hosts: ['web'],
    http: [{ route: [{ destination: { host: 'web', subset: 'stable' }, weight: 100 - weight }, { destination: { host: 'web', subset: 'canary' }, weight }] }],
  },
});
const VS_PATH = '/apis/networking.istio.io/v1/namespaces/default/virtualservices';

describe('durability across kill -9', () => {
  it('keeps a created object and an updated VirtualService weight with their resourceVersions', async () => {
    let api = await startCluster();
    const created = await api.request('POST', '/api/v1/namespaces/default/configmaps', aConfigMap('settings', { mode: 'fast' }));
    expect(created.status).toBe(201);
    expect((await api.request('POST', VS_PATH, virtualService(10))).status).toBe(201);
    const updated = await api.request('PATCH', `${VS_PATH}/web`, { spec: { http: virtualService(40).spec.http } }, 'application/merge-patch+json');
    expect(updated.status).toBe(200);
    await crash();

    api = await startCluster();
    const configMap = await api.request('GET', '/api/v1/namespaces/default/configmaps/settings');
    expect(configMap.status).toBe(200);
    expect(configMap.body.data).toEqual({ mode: 'fast' });
    expect(configMap.body.metadata).toMatchObject({ uid: created.body.metadata.uid, resourceVersion: created.body.metadata.resourceVersion });
    const service = await api.request('GET', `${VS_PATH}/web`);
    expect(service.body.spec.http[0].route[1].weight).toBe(40);
    expect(service.body.metadata.resourceVersion).toBe(updated.body.metadata.resourceVersion);
  });

  it('keeps an acknowledged delete', async () => {
    let api = await startCluster();
    expect((await api.request('POST', '/api/v1/namespaces/default/configmaps', aConfigMap('doomed'))).status).toBe(201);
    await crash();
    api = await startCluster();
    expect((await api.request('GET', '/api/v1/namespaces/default/configmaps/doomed')).status).toBe(200);
    expect((await api.request('DELETE', '/api/v1/namespaces/default/configmaps/doomed')).status).toBe(200);
    await crash();

    api = await startCluster();
    expect((await api.request('GET', '/api/v1/namespaces/default/configmaps/doomed')).status).toBe(404);
  });

  it('keeps every acknowledged write of a burst killed mid-flight, and ignores a torn last log line', async () => {
    let api = await startCluster();
    const acknowledged = new Map<string, string>();
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      for (let i = 0; !stop; i++) {
        const name = `burst-${writer}-${i}`;
        const result = await api.request('POST', '/api/v1/namespaces/default/configmaps', aConfigMap(name, { i: String(i) })).catch(() => undefined);
        if (result?.status === 201 && !stop) acknowledged.set(name, result.body.metadata.resourceVersion as string);
      }
    });
    while (acknowledged.size < 120) await new Promise((resolve) => setTimeout(resolve, 5));
    stop = true;
    const snapshotOfAcknowledged = new Map(acknowledged);
    await crash();
    await Promise.all(writers);
    // A write the kill interrupted can leave half a line at the end of the log; it was never acknowledged.
    const segments = (await readdir(dataDir)).filter((name) => name.startsWith('cluster-wal.')).sort();
    expect(segments.length).toBeGreaterThan(0);
    await appendFile(join(dataDir, segments.at(-1) ?? ''), '{"resourceVersion":999999,"op":"put","resou');

    api = await startCluster();
    const list = await api.request('GET', '/api/v1/namespaces/default/configmaps');
    const stored = new Map<string, string>(list.body.items.map((item: any) => [item.metadata.name, item.metadata.resourceVersion]));
    for (const [name, resourceVersion] of snapshotOfAcknowledged) expect(stored.get(name), name).toBe(resourceVersion);
    expect(Number(list.body.metadata.resourceVersion)).toBeLessThan(999999);
  });
});

describe('write-ahead log compaction', () => {
  it('folds full segments into the snapshot and replays the rest after a crash', async () => {
    const test = await startTestCluster({ dataDir, compactAfterBytes: 4096 });
    try {
      for (let i = 0; i < 40; i++) await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap(`cm-${i}`, { payload: 'x'.repeat(200) }) });
      // The last compaction may still be writing; the snapshot only ever moves forward.
      const snapshotVersion = () => readFile(join(dataDir, 'cluster-state.json'), 'utf8').then((text) => (JSON.parse(text) as { resourceVersion: number }).resourceVersion, () => 0);
      await eventually(async () => (await snapshotVersion()) > 20, 5000, 'a snapshot folding in the configmaps');
      // Quiescent (one segment, no snapshot being written) before a second reader looks at the directory.
      const compactionFinished = () =>
        eventually(async () => {
          const names = await readdir(dataDir);
          return names.filter((name) => name.startsWith('cluster-wal.')).length === 1 && !names.includes('cluster-state.json.tmp');
        }, 5000, 'the compaction to finish');
      await compactionFinished();
      // A write after the last compaction is in the log (whether or not a snapshot has folded it in yet).
      const late = await test.core.createNamespacedConfigMap({ namespace: 'default', body: aConfigMap('late') });
      await compactionFinished();
      const segments = (await readdir(dataDir)).filter((name) => name.startsWith('cluster-wal.'));
      const logged = await Promise.all(segments.map((name) => readFile(join(dataDir, name), 'utf8').catch(() => '')));
      expect(logged.join('')).toContain('"name":"late"');

      // A second cluster reading the same directory while the first still runs sees exactly what a
      // restart after a crash would: the snapshot plus the log written so far (no stop, no final flush).
      const recovered = await startEmbeddedCluster({ dataDir, timeScale: FAST_TIME_SCALE, persist: true });
      try {
        expect(recovered.store.list('configmaps', { namespace: 'default' }).filter((item) => item.metadata.name.startsWith('cm-')).length).toBe(40);
        expect(recovered.store.get('configmaps', 'default', 'cm-39')?.metadata.resourceVersion).toBe(test.cluster.store.get('configmaps', 'default', 'cm-39')?.metadata.resourceVersion);
        expect(recovered.store.get('configmaps', 'default', 'late')?.metadata.resourceVersion).toBe(late.metadata?.resourceVersion);
      } finally {
        await recovered.stop();
      }
    } finally {
      await test.cluster.stop();
    }
  });

  it('keeps the log and the snapshot (which hold Secrets) private to their owner', async () => {
    const test = await startTestCluster({ dataDir, compactAfterBytes: 4096 });
    try {
      for (let i = 0; i < 20; i++) await test.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: `s-${i}` }, stringData: { password: 'x'.repeat(200) } } });
      await eventually(() => stat(join(dataDir, 'cluster-state.json')).then(() => true, () => false), 5000, 'the first snapshot');
      // Compaction may still be running: a file listed here can be gone (renamed, folded) by the time it is looked at.
      const modes = new Map<string, string>();
      for (const name of (await readdir(dataDir)).filter((file) => file.startsWith('cluster-'))) {
        const info = await stat(join(dataDir, name)).catch(() => undefined);
        if (info) modes.set(name, (info.mode & 0o777).toString(8));
      }
      expect(modes.get('cluster-state.json')).toBe('600');
      expect([...modes.keys()].some((name) => name.startsWith('cluster-wal.'))).toBe(true);
      for (const [name, mode] of modes) expect(mode, name).toBe('600');
    } finally {
      await test.cluster.stop();
    }
  });

  it('refuses to start on a log with an unreadable complete line, naming the file and line', async () => {
    await writeFile(join(dataDir, 'cluster-wal.3.jsonl'), '{"resourceVersion":1,"op":"delete","resource":"configmaps","name":"a"}\nnot json\n');
    await expect(startEmbeddedCluster({ dataDir, timeScale: FAST_TIME_SCALE })).rejects.toThrow(/cluster-wal\.3\.jsonl line 2 is not a valid write-ahead log entry/);
  });
});
