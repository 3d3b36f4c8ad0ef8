/**
 * HAProxy's runtime API over its admin (stats) socket, in the non-interactive mode: one
 * connection per call (HAProxy answers and closes). A call may hold several commands joined with
 * `;`, which HAProxy runs in order on that one connection: a weight change is one round trip.
 *
 * Why not one long-lived connection in `prompt` mode: after a reload (SIGUSR2) such a connection
 * still talks to the old, stopping worker, which keeps running for it and answers reads with its
 * stale state; a connection per call always reaches the worker that serves traffic.
 */
import { connect } from 'node:net';

/** A server of a backend as `show servers state` reads back. */
export interface ServerState {
  backend: string;
  server: string;
  /** The weight set by configuration or `set server … weight` (`srv_uweight`). */
  weight: number;
  /** `srv_op_state`: 0 stopped, 1 starting, 2 running, 3 stopping. */
  operational: number;
}

/** The admin socket could not be reached or refused a command. */
export class HaproxyUnreachable extends Error {}

/**
 * Sends commands (joined with `;`, run in order) on one connection and resolves with HAProxy's
 * whole answer: each command's output followed by an empty line.
 * @throws HaproxyUnreachable when the socket is missing or silent for `timeoutMs`.
 */
export function haproxyCommands(socketPath: string, commands: readonly string[], timeoutMs = 2_000): Promise<string> {
  if (commands.length === 0 || commands.some((c) => /[\n;]/.test(c))) return Promise.reject(new Error('commands may not hold a newline or ";"'));
  const line = commands.join('; ');
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new HaproxyUnreachable(`HAProxy's admin socket did not answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.end(`${line}\n`));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof HaproxyUnreachable ? error : new HaproxyUnreachable(`HAProxy's admin socket is unreachable: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Parses `show servers state` (format version 1). */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('# be_id'));
  if (!header) return [];
  const columns = header.slice(2).split(' ');
  const at = (name: string) => columns.indexOf(name);
  const [be, srv, weight, op] = [at('be_name'), at('srv_name'), at('srv_uweight'), at('srv_op_state')];
  return lines
    .filter((l) => l && !l.startsWith('#') && l.includes(' '))
    .map((l) => l.split(' '))
    .map((f) => ({ backend: f[be]!, server: f[srv]!, weight: Number(f[weight]), operational: Number(f[op]) }))
    .filter((s) => s.backend !== undefined && Number.isFinite(s.weight));
}

/**
 * Sets the weights of servers of one backend in order, then reads the backend back, in one
 * round trip. `set server … weight` answers nothing on success, so any text before the state
 * is a refusal (HAProxy runs the later commands anyway; the state read back shows what holds).
 * @throws HaproxyUnreachable; Error with HAProxy's answer when it refused a weight.
 */
export async function setWeightsAndRead(socketPath: string, backend: string, weights: readonly (readonly [server: string, weight: number])[]): Promise<ServerState[]> {
  const commands = [...weights.map(([server, weight]) => `set server ${backend}/${server} weight ${weight}`), `show servers state ${backend}`];
  const answer = await haproxyCommands(socketPath, commands);
  const state = answer.search(/^(1\n# be_id|Can't find backend)/m);
  const refusal = (state < 0 ? answer : answer.slice(0, state)).trim();
  if (refusal) throw new Error(`HAProxy refused the weight: ${refusal.slice(0, 200)}`);
  return /^Can't find backend/m.test(answer) ? [] : parseServersState(answer.slice(state));
}

/** Sets a server's weight; HAProxy answers nothing on success. @throws Error with HAProxy's answer otherwise. */
export async function setServerWeight(socketPath: string, backend: string, server: string, weight: number): Promise<void> {
  const answer = (await haproxyCommands(socketPath, [`set server ${backend}/${server} weight ${weight}`])).trim();
  if (answer) throw new Error(`HAProxy refused the weight: ${answer.slice(0, 200)}`);
}

/** `show servers state <backend>`, parsed. */
export async function serversState(socketPath: string, backend: string): Promise<ServerState[]> {
  const answer = await haproxyCommands(socketPath, [`show servers state ${backend}`]);
  if (/^Can't find backend/m.test(answer)) return [];
  return parseServersState(answer);
}
