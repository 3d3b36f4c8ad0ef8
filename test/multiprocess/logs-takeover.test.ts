import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createPostgresDatabase } from '../support/database.ts';
import { ChildServer, freePort, gantryProcessEnv, graphqlAt, startAndWait, startClusterProcess, until } from '../support/processes.ts';

const exec = promisify(execFile);
const TOKEN = 'gnt_logs-takeover-admin-token-0123456789ab';
const TAIL = `subscription($id: ID!) { logTail(environmentId: $id) { cursor at source message } }`;

/** The sequence a LogLine cursor points at (`l:<stream>#<sequence>`, base64url). */
const sequenceOf = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString('utf8').split('#')[1]);

/**
 * Two Gantry processes on one PostgreSQL database collect one environment's pod logs, with the
 * embedded cluster in a process of its own: the one holding the environment's collection lease is
 * killed (SIGKILL) and the other takes over from the stored positions.
 */
describe('pod log collection across real processes', () => {
  let dataDir: string;
  let db: { url: string; drop(): Promise<void> };
  let cluster: ChildServer;
  let kubeconfig: string;
  let sql: postgres.Sql;
  let client: Client | null = null;
  const started: ChildServer[] = [];

  function gantry(port: number): ChildServer {
    const child = new ChildServer('server/main.ts', gantryProcessEnv({ databaseUrl: db.url, kubeconfig, dataDir: join(dataDir, `gantry-${port}`), port, token: TOKEN }, { GANTRY_LOG_LEASE_SECONDS: '2' }));
    started.push(child);
    return child;
  }

  const up = startAndWait;

  /** Each pod's stored lines (`<ms> <message>`), in the order they were stored. */
  async function storedByPod(environmentId: string): Promise<Map<string, string[]>> {
    const rows = await sql`select pod, at, message from pod_log_lines where environment_id = ${environmentId} order by sequence`;
    const out = new Map<string, string[]>();
    for (const row of rows) out.set(row.pod, [...(out.get(row.pod) ?? []), `${new Date(row.at).getTime()} ${row.message}`]);
    return out;
  }

  /** A pod's log as the kubelet still holds it (the embedded one keeps 500 lines), as `<ms> <message>`. */
  async function kubeletLog(namespace: string, pod: string): Promise<string[]> {
    const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, 'logs', pod, '-n', namespace, '-c', 'app', '--timestamps'], { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const space = line.indexOf(' ');
        return `${Date.parse(`${line.slice(0, 23)}Z`)} ${line.slice(space + 1)}`;
      });
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-logs-'));
    db = await createPostgresDatabase();
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    ({ process: cluster, kubeconfig } = await startClusterProcess(join(dataDir, 'cluster')));
  }, 60_000);

  afterAll(async () => {
    await client?.dispose();
    for (const child of started) await child.kill();
    await cluster?.kill('SIGTERM');
    await sql?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("should store each pod's lines once, and after a SIGKILL of the collecting process let the other resume with no gap or repeat while its tail goes on", async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = gantry(portA);
    await up(a, portA);
    const gql = (port: number, query: string, variables: Record<string, unknown> = {}) => graphqlAt(port, TOKEN, query, variables);
    const { createProject } = await gql(portA, 'mutation { createProject(input: { slug: "logs", name: "Logs" }) { id } }');
    const { createApp } = await gql(portA, 'mutation($p: ID!) { createApp(input: { projectId: $p, name: "api", language: GO }) { id } }', { p: createProject.id });
    const { createEnvironment } = await gql(portA, 'mutation($a: ID!) { createEnvironment(input: { appId: $a, name: "prod", replicas: 2 }) { id namespace } }', { a: createApp.id });
    const envId: string = createEnvironment.id;
    const envUuid = Buffer.from(envId, 'base64').toString('utf8').split(':')[1]!;
    const release = (await gql(portA, 'mutation($e: ID!) { createRelease(input: { environmentId: $e, image: "registry.local/api:1" }) { id } }', { e: envId })).createRelease;
    await until(async () => (await gql(portA, 'query($id: ID!) { release(id: $id) { status } }', { id: release.id })).release.status === 'SUCCEEDED', 'the release succeeded');
    // A alone: it takes the collection lease; then B joins and finds it held.
    const holder = await until(async () => (await sql`select lease_owner from log_collections where id = ${envUuid} and lease_owner is not null`)[0]?.lease_owner as string | undefined, 'A holds the collection lease');
    await until(async () => ((await sql`select count(*)::int as n from pod_log_lines where environment_id = ${envUuid}`)[0]!.n as number) > 50, 'lines stored by A');
    const b = gantry(portB);
    await up(b, portB);

    const tail: { cursor: string; at: string; source: string }[] = [];
    client = createClient({ url: `ws://127.0.0.1:${portB}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${TOKEN}` }, retryAttempts: 0 });
    client.subscribe<{ logTail: { cursor: string; at: string; source: string } }>(
      { query: TAIL, variables: { id: envId } },
      { next: ({ data }) => void tail.push(data!.logTail), error: () => undefined, complete: () => undefined },
    );
    await until(async () => tail.length > 20, 'B tails the lines A collects');
    expect((await sql`select lease_owner from log_collections where id = ${envUuid}`)[0]!.lease_owner).toBe(holder);

    const killedAt = Date.now();
    await a.kill();
    const storedAtKill = (await sql`select coalesce(max(sequence), 0)::int as max from pod_log_lines where environment_id = ${envUuid}`)[0]!.max as number;
    await until(async () => {
      const [row] = await sql`select lease_owner from log_collections where id = ${envUuid}`;
      return row!.lease_owner !== holder && row!.lease_owner !== null;
    }, 'B takes the collection over', 20_000);
    await until(async () => ((await sql`select count(*)::int as n from pod_log_lines where environment_id = ${envUuid} and sequence > ${storedAtKill}`)[0]!.n as number) > 50, 'lines stored by B');
    await until(async () => tail.some((line) => sequenceOf(line.cursor) > storedAtKill + 50), "B's tail past the takeover");

    // Every pod's stored lines run exactly as its log at the kubelet, across the takeover: nothing lost, nothing twice.
    const stored = await storedByPod(envUuid);
    expect(stored.size).toBe(2);
    for (const [pod, lines] of stored) {
      const kubelet = await kubeletLog(createEnvironment.namespace, pod);
      // The kubelet's oldest retained line is older than the kill, so the window spans the takeover.
      expect(Number(kubelet[0]!.split(' ')[0])).toBeLessThan(killedAt);
      const start = lines.indexOf(kubelet[0]!, Math.max(0, lines.length - kubelet.length - 10));
      expect(start, `${pod}: the kubelet's oldest retained line is stored`).toBeGreaterThanOrEqual(0);
      const overlap = lines.slice(start);
      expect(overlap.length).toBeGreaterThan(50);
      expect(overlap).toEqual(kubelet.slice(0, overlap.length));
      expect(new Set(lines).size, `${pod}: a line stored twice`).toBe(lines.length);
    }
    // The tail on the surviving process went on through the takeover, each line once and in order.
    const sequences = tail.map((line) => sequenceOf(line.cursor));
    expect(sequences).toEqual(sequences.map((_, i) => sequences[0]! + i));
    expect(tail.some((line) => new Date(line.at).getTime() > killedAt)).toBe(true);
    await b.kill('SIGTERM');
  }, 180_000);
});
