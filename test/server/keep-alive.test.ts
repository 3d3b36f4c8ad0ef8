import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { keepSocketsAlive } from '../../server/keep-alive.ts';
import { until } from '../support/processes.ts';

describe('keeping sockets alive with one timer', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const done of cleanup.splice(0)) done();
  });

  it('should end a socket that stops answering pings and keep one that answers', async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    cleanup.push(keepSocketsAlive(wss, 50), () => wss.close(), () => http.close());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const open = (options: WebSocket.ClientOptions) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(url, options);
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    const answering = await open({});
    const silent = await open({ autoPong: false });
    cleanup.push(() => answering.terminate(), () => silent.terminate());
    let pings = 0;
    answering.on('ping', () => (pings += 1));

    const closed = await until(async () => (silent.readyState === WebSocket.CLOSED ? true : null), 'the silent socket to be ended', 10_000, 20);
    expect(closed).toBe(true);
    await until(async () => (pings >= 5 ? true : null), 'five pings to the answering socket', 10_000, 20);
    expect(answering.readyState).toBe(WebSocket.OPEN);
  });
});
