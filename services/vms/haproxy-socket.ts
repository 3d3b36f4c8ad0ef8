/**
 * HAProxy's runtime API over its admin (stats) socket: one connection per command, as the
 * non-interactive mode expects (HAProxy answers and closes).
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
 * Sends one command and resolves with HAProxy's whole answer.
 * @throws HaproxyUnreachable when the socket is missing or silent for `timeoutMs`.
 */
export function haproxyCommand(socketPath: string, command: string, timeoutMs = 2_000): Promise<string> {
  if (/[\n;]/.test(command)) return Promise.reject(new Error('one command per call'));
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new HaproxyUnreachable(`HAProxy's admin socket did not answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.end(`${command}\n`));
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

/** Sets a server's weight; HAProxy answers nothing on success. @throws Error with HAProxy's answer otherwise. */
export async function setServerWeight(socketPath: string, backend: string, server: string, weight: number): Promise<void> {
  const answer = (await haproxyCommand(socketPath, `set server ${backend}/${server} weight ${weight}`)).trim();
  if (answer) throw new Error(`HAProxy refused the weight: ${answer.slice(0, 200)}`);
}

/** `show servers state <backend>`, parsed. */
export async function serversState(socketPath: string, backend: string): Promise<ServerState[]> {
  const answer = await haproxyCommand(socketPath, `show servers state ${backend}`);
  if (/^Can't find backend/m.test(answer)) return [];
  return parseServersState(answer);
}
