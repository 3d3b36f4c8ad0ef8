import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closes connections that have not sent the complete headers of a request within `timeoutMs`
 * of connecting: nothing at all, or only part of them. Node's headersTimeout starts only with
 * the first byte of a request, so a socket that never sends one was kept forever (30 such
 * sockets were all still open after 150 s), and with dozens of connections open its periodic
 * check did not close a socket stuck halfway through its headers either. Once the headers of a
 * first request have arrived, requestTimeout and keepAliveTimeout take over. `upgrades`: the
 * server also accepts WebSocket upgrades, whose sockets then belong to the WebSocket server.
 */
export function closeSilentConnections(server: Server, timeoutMs: number, options: { upgrades: boolean }): void {
  /** Each waiting socket's way to stop waiting: its headers came, or it closed. */
  const waiting = new WeakMap<Socket, () => void>();
  const seen = (req: IncomingMessage) => waiting.get(req.socket)?.();
  server.on('request', seen);
  if (options.upgrades) server.on('upgrade', seen);
  server.on('connection', (socket: Socket) => {
    // Stopped as soon as the first headers arrive, so nothing of it stays with the socket: a
    // WebSocket lives for hours, and the timer, its closures and a close listener stayed with
    // each one for the whole timeout after its upgrade (bench/RESULTS.md).
    const stop = () => {
      clearTimeout(timer);
      socket.off('close', stop);
      waiting.delete(socket);
    };
    const timer = setTimeout(() => {
      stop();
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    socket.on('close', stop);
    waiting.set(socket, stop);
  });
}
