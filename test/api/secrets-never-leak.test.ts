import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../server/logger.ts';
import { aUser } from '../support/fixtures.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

/**
 * Plants distinct random secrets everywhere a caller can put one (tokens, variables, literals,
 * headers, a kubeconfig, a value PostgreSQL rejects) and greps every response (body, headers,
 * WebSocket frames and close reasons) and every log line for each, and for its SHA-256 (what
 * the database stores for tokens): none may appear.
 */

const logLines: string[] = [];
const responses: string[] = [];
const planted: string[] = [];
let t: TestServer;

/** A password-like secret, unique to this plant. */
function plant(label: string): string {
  const secret = `Pw-${label}-${randomBytes(16).toString('hex')}`;
  planted.push(secret);
  return secret;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function expectNowhere(secrets: readonly string[]): void {
  expect(logLines.length, 'the log was captured').toBeGreaterThan(0);
  for (const secret of secrets) {
    for (const form of [secret, sha256(secret)]) {
      expect(responses.filter((r) => r.includes(form)), `${secret} in a response`).toEqual([]);
      expect(logLines.filter((l) => l.includes(form)), `${secret} in the log`).toEqual([]);
    }
  }
}

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

/** POSTs with fetch; records status, headers and body. */
async function http(op: Operation, token: string | null = ADMIN_TOKEN): Promise<{ status: number; body: any }> {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(op),
  });
  const text = await res.text();
  responses.push(`${res.status} ${JSON.stringify([...res.headers])} ${text}`);
  return { status: res.status, body: JSON.parse(text) };
}

/**
 * Runs operations over a raw graphql-transport-ws socket (the real protocol, every frame kept):
 * resolves with each operation's last frame, or with the close code when the server closes.
 */
function overWebSocket(token: string, ops: readonly Operation[]): Promise<{ frames: any[]; closeCode: number | null }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    const frames: any[] = [];
    let done = 0;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const text = String(data);
      responses.push(text);
      const message = JSON.parse(text);
      if (message.type === 'connection_ack') {
        ops.forEach((payload, i) => socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload })));
        if (ops.length === 0) socket.close(1000);
        return;
      }
      if (message.type === 'next' || message.type === 'error') frames[Number(message.id)] = message.payload;
      if ((message.type === 'complete' || message.type === 'error') && ++done === ops.length) socket.close(1000);
    });
    socket.on('close', (code, reason) => {
      responses.push(`close ${code} ${String(reason)}`);
      resolve({ frames, closeCode: code === 1000 ? null : code });
    });
    socket.on('error', reject);
  });
}

/** Sends raw bytes over TCP (a header value fetch would refuse to send); resolves with the answer. */
function rawHttp(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(t.url);
    const socket = connect(Number(url.port), url.hostname, () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  const destination = { write: (line: string) => void logLines.push(line) };
  // Real cluster registry with no cluster (registerCluster parses the kubeconfig for real).
  t = await startTestServer({
    env: { GANTRY_EMBEDDED_CLUSTER: '0' },
    start: { clusters: undefined, logger: createLogger('debug', destination) },
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  expectNowhere(planted);
});

/** Every way a caller can hand Gantry a value that is then refused. */
function refusedOperations(): { op: Operation; secret: string; code: string }[] {
  const s = (label: string) => plant(label);
  const cases: { op: Operation; secret: string; code: string }[] = [];
  const add = (secret: string, code: string, query: string, variables?: Record<string, unknown>) =>
    cases.push({ secret, code, op: { query, ...(variables ? { variables } : {}) } });
  let v: string;
  v = s('login');
  add(v, 'BAD_USER_INPUT', 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { login: v } });
  v = s('token-name');
  add(v, 'BAD_USER_INPUT', 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }', { i: { name: `${v}\u0001` } });
  v = s('nul');
  add(v, 'BAD_USER_INPUT', 'mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }', { i: { slug: 'ok', name: `${v}\u0000` } });
  v = s('int-var');
  add(v, 'BAD_USER_INPUT', 'query($n: Int) { projects(first: $n) { totalCount } }', { n: v });
  v = s('enum-var');
  add(v, 'BAD_USER_INPUT', 'mutation($r: Role!) { addProjectMember(input: { projectId: "x", login: "y", role: $r }) { role } }', { r: v });
  v = s('nested');
  add(v, 'BAD_USER_INPUT', 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { login: { value: v } } });
  v = s('semicolon');
  add(v, 'BAD_USER_INPUT', 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { login: 'x', isAdmin: `a; ${v}` } });
  v = s('date');
  add(v, 'BAD_USER_INPUT', 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }', { i: { name: 'n', expiresAt: v } });
  v = s('literal');
  add(v, 'BAD_USER_INPUT', `{ projects(first: "${v}") { totalCount } }`);
  v = s('syntax');
  add(v, 'BAD_USER_INPUT', `{ viewer "${v}" }`);
  v = s('enum_literal').replace(/-/g, '_');
  planted.push(v);
  add(v, 'BAD_USER_INPUT', `mutation { addProjectMember(input: { projectId: "x", login: "y", role: ${v} }) { role } }`);
  // A cursor whose decoded key holds a NUL (refused before any SQL; the database error logged
  // directly below covers a failure inside PostgreSQL).
  v = s('sql');
  add(v, 'BAD_USER_INPUT', 'query($a: String) { projects(after: $a) { totalCount } }', { a: Buffer.from(`c:${v}\u0000`).toString('base64url') });
  // A config secret's value, refused (its own path in the valid case is test/api/config.test.ts).
  v = s('config-secret');
  add(v, 'BAD_USER_INPUT', 'mutation($i: SetSecretInput!) { setSecret(input: $i) { name } }', { i: { environmentId: 'not-an-id', name: 'DB_PASSWORD', value: v } });
  v = s('config-secret-name');
  add(v, 'BAD_USER_INPUT', 'mutation($i: SetSecretInput!) { setSecret(input: $i) { name } }', { i: { environmentId: 'x', name: 'bad name', value: `${v}\u0000` } });
  const kubeconfig = (token: string) =>
    `apiVersion: v1\nclusters:\n- cluster:\n    server: https://k8s.example.com\n  name: c\nusers:\n- name: u\n  user:\n    token: ${token}\n   oops: [\n`;
  v = s('kubeconfig');
  add(v, 'BAD_USER_INPUT', 'mutation($k: String!) { registerCluster(name: "leaky", kubeconfig: $k) { name } }', { k: kubeconfig(v) });
  return cases;
}

describe('no secret is logged or echoed', () => {
  it('refused variables, literals, syntax, kubeconfigs and SQL failures: over HTTP', async () => {
    const cases = refusedOperations();
    for (const { op, secret, code } of cases) {
      const { status, body } = await http(op);
      expect(status, secret).not.toBe(500);
      expect(body.errors?.length, secret).toBeGreaterThan(0);
      if (code !== 'any') expect(body.errors[0].extensions.code, body.errors[0].message).toBe(code);
    }
    const kube = await http(cases.at(-1)!.op);
    expect(kube.body.errors[0].extensions.field).toBe('kubeconfig');
    expect(kube.body.errors[0].message).toMatch(/line \d+, column \d+/);
    expectNowhere(cases.map((c) => c.secret));
  });

  it('refused variables, literals, syntax, kubeconfigs and SQL failures: over WebSocket', async () => {
    const cases = refusedOperations();
    const { frames, closeCode } = await overWebSocket(ADMIN_TOKEN, cases.map((c) => c.op));
    expect(closeCode).toBeNull();
    cases.forEach(({ secret, code }, i) => {
      const errors = Array.isArray(frames[i]) ? frames[i] : frames[i]?.errors;
      expect(errors?.length, secret).toBeGreaterThan(0);
      if (code !== 'any') expect(errors[0].extensions.code, errors[0].message).toBe(code);
    });
    expectNowhere(cases.map((c) => c.secret));
  });

  it('a valid token used over HTTP and WebSocket, and an invalid one refused on both', async () => {
    const user = await aUser(t);
    await http({ query: '{ viewer { login } }' }, user.token);
    await http({ query: '{ nosuchfield }' }, user.token);
    const ok = await overWebSocket(user.token, [{ query: '{ viewer { login } }' }, { query: '{ nosuchfield }' }]);
    expect(ok.frames[0].data.viewer.login).toBe(user.login);
    const invalid = `gnt_${plant('bad-token')}`;
    planted.push(invalid);
    expect((await http({ query: '{ viewer { login } }' }, invalid)).status).toBe(401);
    expect((await overWebSocket(invalid, [])).closeCode).toBe(4403);
    expectNowhere([user.token, invalid]);
  });

  it('a header value with a forbidden character: 400 in GraphQL shape, the head is not logged', async () => {
    const secret = plant('header');
    const answer = await rawHttp(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secret}\u0001\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`,
    );
    responses.push(answer);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"BAD_USER_INPUT"');
    expect(logLines.some((l) => l.includes('malformed HTTP request refused'))).toBe(true);
    expectNowhere([secret]);
  });

  it('a database error logged through the server logger keeps its code and loses its parameters', async () => {
    const secret = plant('db-param');
    const error = await t.server.database.db.execute(sql`select ${secret}::uuid`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    t.server.logger.error({ err: error }, 'planted database failure');
    const line = logLines.find((l) => l.includes('planted database failure'));
    expect(line).toContain('22P02');
    expectNowhere([secret]);
  });
});
