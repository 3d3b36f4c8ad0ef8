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
  const headersSeen = new WeakSet<Socket>();
  const seen = (req: IncomingMessage) => headersSeen.add(req.socket);
  server.on('request', seen);
  if (options.upgrades) server.on('upgrade', seen);
  server.on('connection', (socket: Socket) => {
    // Once fired, the timer lets go of the socket's close listener (and the listener of the
    // timer): a WebSocket lives for hours, and these kept a Timeout, two closures and a once()
    // wrapper for all of it (bench/RESULTS.md).
    const cancel = () => clearTimeout(timer);
    const timer = setTimeout(() => {
      socket.off('close', cancel);
      if (!headersSeen.has(socket)) socket.destroy();
    }, timeoutMs);
    timer.unref();
    socket.on('close', cancel);
  });
}
