/**
 * Watches the VirtualServices of a namespace through the cluster's API server, as kubectl -w
 * does, and tells when an app's canary weight first reaches a value. The bench times commands
 * against it, so it works the same with the cluster in Gantry's process or in its own.
 */
import { epochMs } from '../support/stats.ts';

interface Waiter {
  app: string;
  weight: number;
  resolve: (at: number) => void;
}

/** Canary weight of a VirtualService as the API server has it. */
function canaryWeightIn(object: any): number | null {
  const route: any[] | undefined = object?.spec?.http?.[0]?.route;
  if (!route) return null;
  return route.find((r) => r.destination?.subset === 'canary')?.weight ?? 0;
}

export class RouterWatch {
  private readonly waiters = new Set<Waiter>();
  private readonly abort = new AbortController();

  private constructor(private readonly api: { server: string; token: string }) {}

  /** Lists, then watches from the list's resourceVersion; resolves once the watch is open. */
  static async open(api: { server: string; token: string }, namespace: string): Promise<RouterWatch> {
    const watch = new RouterWatch(api);
    const path = `${api.server}/apis/networking.istio.io/v1/namespaces/${namespace}/virtualservices`;
    const list = (await (await watch.get(path)).json()) as { metadata: { resourceVersion: string } };
    const response = await watch.get(`${path}?watch=1&resourceVersion=${list.metadata.resourceVersion}`);
    void watch.read(response.body!);
    return watch;
  }

  /** Resolves with the epoch ms at which `app`'s VirtualService first shows canary weight `weight`. */
  when(app: string, weight: number, timeoutMs = 15_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        app,
        weight,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`weight ${weight} not applied to ${app} in time`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.abort.abort();
  }

  private get(url: string): Promise<Response> {
    return fetch(url, { headers: { authorization: `Bearer ${this.api.token}` }, signal: this.abort.signal }).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response;
    });
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body) {
        const at = epochMs();
        buffered += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim()) this.dispatch(JSON.parse(line), at);
        }
      }
    } catch {
      // closed by close(), or the process is ending
    }
  }

  private dispatch(event: { type: string; object: any }, at: number): void {
    const weight = canaryWeightIn(event.object);
    for (const waiter of this.waiters) {
      if (waiter.app === event.object?.metadata?.name && waiter.weight === weight) {
        this.waiters.delete(waiter);
        waiter.resolve(at);
      }
    }
  }
}
