/**
 * Baseline: a bare `ws` server on node:http. Holds connections; POST /broadcast sends the
 * request body to every one of them. What a WebSocket connection and a broadcast cost with no
 * GraphQL, no protocol and no subscription state. PORT from the environment; prints `listening`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const server = createServer(async (req, res) => {
  if (req.method !== 'POST') return void res.end('bare ws');
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const payload = Buffer.concat(chunks).toString('utf8');
  for (const client of wss.clients) client.send(payload);
  res.end(String(wss.clients.size));
});
const wss = new WebSocketServer({ server });
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
