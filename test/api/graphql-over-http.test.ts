import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

/**
 * The GraphQL-over-HTTP spec audits from graphql-http, run against the real server.
 * Every MUST audit has to pass; SHOULD/MAY audits are informative.
 */
describe('GraphQL over HTTP conformance', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const audits = serverAudits({
    url: () => t.url,
    // The audits query `{ __typename }`, which needs no authentication, but send a token so
    // that the answers exercise the authenticated path too.
    fetchFn: (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${ADMIN_TOKEN}`);
      return fetch(input, { ...init, headers });
    },
  });

  for (const audit of audits.filter((a) => a.name.startsWith('MUST'))) {
    it(audit.name, async () => {
      const result = await audit.fn();
      expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
    });
  }

  it('should pass every MUST audit of the spec (there are some)', () => {
    expect(audits.filter((a) => a.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });
});
