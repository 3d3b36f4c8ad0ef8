import type { Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import './graphiql-page.css';
import { getOperationAST, parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { storedToken } from '../session.ts';

/**
 * The API explorer at GET /graphql for browsers: GraphiQL, bundled with the console (never from a
 * CDN). The token goes in the Headers tab as `{"authorization": "Bearer …"}` (filled in from the
 * console's session in this tab, never persisted); queries and mutations are POSTed, subscriptions
 * run over graphql-ws with the same header as connection parameters.
 */
const sockets = new Map<string, Client>();

function socketFor(authorization: string): Client {
  let client = sockets.get(authorization);
  if (!client) {
    client = createClient({
      url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`,
      lazy: true,
      connectionParams: authorization ? { authorization } : {},
    });
    sockets.set(authorization, client);
  }
  return client;
}

function authorizationOf(headers: Record<string, unknown> | undefined): string {
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  return typeof value === 'string' ? value : '';
}

const fetcher: Fetcher = async (params, options) => {
  const headers = (options?.headers ?? {}) as Record<string, unknown>;
  let subscription = false;
  try {
    subscription = getOperationAST(parse(params.query), params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    // Not parseable here: let the server say why.
  }
  if (subscription) {
    return socketFor(authorizationOf(headers)).iterate({
      query: params.query,
      variables: (params.variables ?? {}) as Record<string, unknown>,
      ...(params.operationName ? { operationName: params.operationName } : {}),
    });
  }
  const res = await fetch('/graphql', {
    method: 'POST',
    // An empty header (the starting template without a token) is left out: introspection needs none.
    headers: { ...Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== '').map(([k, v]) => [k, String(v)])), 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify(params),
  });
  return res.json();
};

const token = storedToken();
const defaultQuery = `# Gantry's API. The token goes in Headers below; the schema's descriptions are in the docs (left).
query Viewer {
  viewer { login name isAdmin }
  projects(first: 10) { nodes { slug name viewerRole } }
}
`;
// Without a console session: an empty header to fill in ("Bearer <token>"); the schema loads meanwhile.
const defaultHeaders = JSON.stringify({ authorization: token ? `Bearer ${token}` : '' }, null, 2);

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} defaultHeaders={defaultHeaders} shouldPersistHeaders={false} defaultEditorToolsVisibility="headers" />
  </StrictMode>,
);
