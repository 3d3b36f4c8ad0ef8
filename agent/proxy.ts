/**
 * The agent's front on `--port`: a reverse proxy to whichever app process is current. Switching
 * releases is a pointer change here (the new process is already healthy), so no request ever
 * finds the port closed; the old process is stopped only once its requests in flight are done.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** An upstream app process's port and its requests in flight. */
export interface Upstream {
  port: number;
  inFlight: number;
}

export class SwitchingProxy {
  private current: Upstream | null = null;
  private server: Server | null = null;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly drained = new Map<Upstream, () => void>();

  /** Listens on `host:port`. @throws the listen error (port in use). */
  async listen(port: number, host = '0.0.0.0'): Promise<void> {
    const server = createServer((req, res) => this.forward(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
  }

  /** Sends new requests to `port` from now on; resolves with the previous upstream once its requests are done. */
  async switchTo(port: number): Promise<void> {
    const previous = this.current;
    this.current = { port, inFlight: 0 };
    if (previous && previous.inFlight > 0) await new Promise<void>((resolve) => this.drained.set(previous, resolve));
  }

  /** No upstream: requests get 503 (the app is stopped). */
  async clear(): Promise<void> {
    const previous = this.current;
    this.current = null;
    if (previous && previous.inFlight > 0) await new Promise<void>((resolve) => this.drained.set(previous, resolve));
  }

  get upstreamPort(): number | null {
    return this.current?.port ?? null;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = this.current;
    if (!upstream) {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no release running\n');
      return;
    }
    upstream.inFlight += 1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      upstream.inFlight -= 1;
      if (upstream.inFlight === 0) this.drained.get(upstream)?.();
    };
    res.once('close', finish);
    const outgoing = request(
      { host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
    });
    req.pipe(outgoing);
  }
}
