import type { Server } from 'node:http';

/**
 * Closes connections that send nothing at all within `timeoutMs` of connecting. Node's
 * headersTimeout starts only with the first byte of a request, so a socket that never sends
 * one is otherwise kept forever (30 such sockets were all still open after 150 s). Once a byte
 * has arrived, headersTimeout, requestTimeout and keepAliveTimeout take over; a socket upgraded
 * to WebSocket has sent its request, so this timer never touches it.
 */
export function closeSilentConnections(server: Server, timeoutMs: number): void {
  server.on('connection', (socket) => {
    const timer = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, timeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
