import type { Client } from 'graphql-ws';
import { eventually, kubectl } from './cluster.ts';
import type { TestServer } from './server.ts';

export const RELEASE_FIELDS = `id status statusMessage version image strategy currentStepIndex declaredWeight appliedWeight isRollback
  steps { index weight untilPromoted pauseSeconds status } finishedAt`;

export async function createRelease(t: TestServer, input: Record<string, unknown>, token?: string): Promise<any> {
  const data = await t.ok(`mutation($i: CreateReleaseInput!) { createRelease(input: $i) { ${RELEASE_FIELDS} } }`, { i: input }, token);
  return data.createRelease;
}

export async function releaseOf(t: TestServer, id: string): Promise<any> {
  return (await t.ok(`query($id: ID!) { release(id: $id) { ${RELEASE_FIELDS} } }`, { id })).release;
}

/** Polls until the release satisfies `check`. */
export function releaseUntil(t: TestServer, id: string, check: (r: any) => boolean, what: string, timeoutMs = 20_000): Promise<any> {
  return eventually(async () => {
    const r = await releaseOf(t, id);
    return check(r) ? r : null;
  }, timeoutMs, what);
}

/** The event log as `TYPE` or `TYPE@weight` strings. */
export async function eventLog(t: TestServer, id: string): Promise<{ sequence: number; type: string; weight: number | null; stepIndex: number | null }[]> {
  const data = await t.ok(`query($id: ID!) { release(id: $id) { events(first: 100) { nodes { sequence type weight stepIndex message } } } }`, { id });
  return data.release.events.nodes;
}

/** Canary weight as read back from the cluster with kubectl: VirtualService or HTTPRoute. */
export async function clusterCanaryWeight(t: TestServer, namespace: string, app: string, router: 'ISTIO' | 'GATEWAY_API' = 'ISTIO'): Promise<number | null> {
  const kind = router === 'ISTIO' ? 'virtualservices' : 'httproutes';
  const out = await kubectl(t, 'get', kind, app, '-n', namespace, '-o', 'json').catch(() => null);
  if (!out) return null;
  const obj = JSON.parse(out);
  if (router === 'ISTIO') {
    const route: any[] = obj.spec.http[0].route;
    return route.find((r) => r.destination.subset === 'canary')?.weight ?? 0;
  }
  const refs: any[] = obj.spec.rules[0].backendRefs;
  return refs.find((r) => String(r.name).endsWith('-canary'))?.weight ?? 0;
}

/** Collects releaseProgress events over graphql-ws until completion. */
export function collectProgress(client: Client, releaseId: string, after?: string): { events: any[]; done: Promise<void>; stop: () => void } {
  const events: any[] = [];
  let stop = () => {};
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe(
      { query: 'subscription($id: ID!, $after: String) { releaseProgress(releaseId: $id, after: $after) { cursor sequence type weight stepIndex } }', variables: { id: releaseId, after } },
      { next: (m) => (m.errors ? reject(new Error(JSON.stringify(m.errors))) : events.push(m.data?.releaseProgress)), error: reject, complete: resolve },
    );
  });
  return { events, done, stop };
}
