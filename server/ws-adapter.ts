import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { IncomingMessage } from 'node:http';

/**
 * graphql-ws on a `ws` server: what `useServer` of `graphql-ws/use/ws` does, minus what each
 * connection held for its whole life there. Its message listener was an async function that
 * awaited graphql-ws' handler, and that handler stays suspended for as long as a subscription
 * runs: the subscribe message's Buffer was kept by every subscription (heap snapshots:
 * bench/RESULTS.md). Its per-connection closures (send, close, onMessage, the error and close
 * listeners) are one object with methods here, and the socket's listeners are shared functions.
 * Keep-alive is server/keep-alive.ts' one timer for every socket; `isProd` is always on
 * (close reasons never carry an error's text).
 */
export interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

const CONNECTION = Symbol('graphql-ws connection');

interface Linked {
  [CONNECTION]?: Connection;
}

/** What graphql-ws' server sees of one socket. */
class Connection {
  receive: ((data: string) => Promise<void>) | null = null;
  closed: ((code: number, reason: string) => Promise<void>) | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly logger: Logger,
  ) {}

  get protocol(): string {
    return this.ws.protocol;
  }

  send(data: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== this.ws.OPEN) return resolve();
      this.ws.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  onMessage(receive: (data: string) => Promise<void>): void {
    this.receive = receive;
  }

  /** A message handler that failed: graphql-ws handles protocol errors itself, so this is a bug of ours. */
  failed(error: unknown): void {
    this.logger.error({ err: error }, 'websocket: internal error handling a message');
    this.ws.close(CloseCode.InternalServerError, 'Internal server error');
  }
}

function onMessage(this: WebSocket & Linked, data: unknown): void {
  const connection = this[CONNECTION];
  // A plain call, not an awaiting one: nothing of this message is held while its operation runs.
  connection?.receive?.(String(data)).catch((error: unknown) => connection.failed(error));
}

function onClose(this: WebSocket & Linked, code: number, reason: Buffer): void {
  const connection = this[CONNECTION];
  this[CONNECTION] = undefined;
  void connection?.closed?.(code, String(reason));
}

/** Serves graphql-ws' protocol on every connection of `wss`. @returns how to close them all. */
export function serveGraphqlWs<P extends Record<string, unknown>, E extends Record<PropertyKey, unknown>>(
  options: ServerOptions<P, Extra & Partial<E>>,
  wss: WebSocketServer,
  logger: Logger,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.once('error', (error) => {
    logger.error({ err: error }, 'websocket server error; closing every socket');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });
  function onError(this: WebSocket, error: Error): void {
    logger.warn({ err: error }, 'websocket: socket error');
    this.close(CloseCode.InternalServerError, 'Internal server error');
  }
  wss.on('connection', (socket: WebSocket & Linked, request) => {
    socket.on('error', onError);
    const connection = new Connection(socket, logger);
    socket[CONNECTION] = connection;
    socket.on('message', onMessage);
    socket.on('close', onClose);
    connection.closed = server.opened(connection, { socket, request } as Extra & Partial<E>);
  });
  return {
    dispose: async () => {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
