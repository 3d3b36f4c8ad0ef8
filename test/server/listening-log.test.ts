import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('the "listening" log line', () => {
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close();
  });

  it('names the address actually bound, says when that is every interface, and gives a URL that works here', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer({ env: { HOST: '0.0.0.0', GANTRY_PGLITE_DIR: 'memory://' }, start: { logger: pino({ level: 'info' }, sink) } });
    const listening = lines.find((line) => String(line.msg).includes('listening'));
    expect(listening).toMatchObject({ host: '0.0.0.0', port: server.server.port, url: `http://127.0.0.1:${server.server.port}/graphql` });
    expect(listening?.msg).toContain('all interfaces');
    // The URL it prints really answers.
    expect((await fetch(String(listening?.url).replace('/graphql', '/healthz'))).status).toBe(200);
  }, 240_000); // a first PGlite start can take minutes on a loaded machine
});
