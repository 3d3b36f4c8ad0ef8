import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('server basics', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('should answer viewer for the bootstrap admin token', async () => {
    const data = await t.ok('{ viewer { login isAdmin } }');
    expect(data.viewer).toEqual({ login: 'admin', isAdmin: true });
  });
});
