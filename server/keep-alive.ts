import type { WebSocket, WebSocketServer } from 'ws';

/** graphql-ws' default: a ping every 12 s, and a socket that has not answered by the next one is ended. */
export const KEEP_ALIVE_MS = 12_000;

/**
 * One timer for every socket of `wss`: each round, a socket still owing the pong of the last
 * ping is terminated (its peer is gone without a close), every other open one is pinged. The
 * same rule as graphql-ws' own keep-alive, which gave each connection an interval, a timeout
 * per ping and a pong listener closure: with thousands of idle subscribers those were a good
 * part of what a connection held (bench/RESULTS.md). One pong handler serves every socket.
 * @returns a function that stops the timer.
 */
export function keepSocketsAlive(wss: WebSocketServer, intervalMs = KEEP_ALIVE_MS): () => void {
  const owing = new WeakSet<WebSocket>();
  function answered(this: WebSocket): void {
    owing.delete(this);
  }
  wss.on('connection', (socket) => socket.on('pong', answered));
  const timer = setInterval(() => {
    for (const socket of wss.clients) {
      if (owing.has(socket)) {
        socket.terminate();
      } else if (socket.readyState === socket.OPEN) {
        owing.add(socket);
        socket.ping();
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
