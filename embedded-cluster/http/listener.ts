import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** A listening server that can be closed at once, open connections (watches, log streams) included. */
export interface TrackedListener {
  /** The bound port (the free one picked when asked for 0). */
  readonly port: number;
  /** Stops listening and destroys every open connection; resolves once the server has closed. */
  close(): Promise<void>;
}

/**
 * Starts `server` on `host:port`, keeping its connections: Node's `close()` waits for open
 * keep-alive and streaming connections, which a simulated cluster's stop or restart must cut.
 * @throws the listen error (a port in use).
 */
export async function listenTracked(server: Server, port: number, host: string): Promise<TrackedListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await closed;
    },
  };
}
