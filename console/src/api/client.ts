import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from 'urql';
import { resumableSubscriptions } from './resumable.ts';

/** What the header's offline indicator shows. */
export type Link = 'online' | 'offline';

/** The API as one signed-in tab uses it: urql over HTTP for queries and mutations, graphql-ws for streams. */
export interface Connection {
  client: Client;
  ws: WsClient;
  dispose(): void;
}

/** Gantry's WebSocket endpoint on the page's own origin (the CSP allows no other). */
function wsUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
}

/**
 * Connects with `token`. `onLink` learns when the WebSocket drops (offline) and when it is back;
 * `onUnauthenticated` when Gantry refuses the token (revoked or expired: sign in again).
 */
export function connect(token: string, onLink: (link: Link) => void, onUnauthenticated: () => void): Connection {
  const ws = createWsClient({
    url: wsUrl(),
    lazy: true,
    // Retries are per subscription (resumable.ts), so each resumes from its own cursor.
    retryAttempts: 0,
    keepAlive: 10_000,
    connectionParams: { authorization: `Bearer ${token}` },
    on: {
      connected: () => onLink('online'),
      closed: (event) => {
        const code = (event as CloseEvent | undefined)?.code;
        if (code === 4403) onUnauthenticated();
        // 1000: closed by the client itself (no stream left), not a drop.
        else if (code !== 1000) onLink('offline');
      },
    },
  });
  const client = new Client({
    url: '/graphql',
    exchanges: [cacheExchange, fetchExchange, subscriptionExchange({ forwardSubscription: resumableSubscriptions(ws) })],
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    // POST only: a GET would need Apollo's CSRF preflight header, and POST bodies stay out of URLs and logs.
    preferGetMethod: false,
    // Queries run again when a mutation changes a type they show (urql's document cache).
    requestPolicy: 'cache-and-network',
  });
  return { client, ws, dispose: () => void ws.dispose() };
}
