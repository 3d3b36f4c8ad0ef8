/**
 * What a simulated web container prints per request: access-log lines whose status codes and
 * latencies follow the image's behaviour (tag `errors`: about one request in five fails with a
 * 5xx, slowly, often followed by a multi-line stack trace; tag `slow`: latencies ten times
 * longer), plus the occasional warning. Everything is derived from the pod, the container and
 * the time (a seeded generator, no global randomness), so the same instant always prints the
 * same lines: tests and benchmarks can predict them, and a replay does not change history.
 */

/** The lines one request produces: the access line, then any continuation lines (a stack trace). */
export type RequestLines = string[];

const ROUTES: readonly { method: string; path: string; baseMs: number }[] = [
  { method: 'GET', path: '/api/items', baseMs: 12 },
  { method: 'GET', path: '/api/items/{id}', baseMs: 6 },
  { method: 'POST', path: '/api/orders', baseMs: 45 },
  { method: 'GET', path: '/api/orders/{id}', baseMs: 9 },
  { method: 'GET', path: '/api/users/me', baseMs: 4 },
  { method: 'PUT', path: '/api/cart', baseMs: 18 },
  { method: 'GET', path: '/healthz', baseMs: 1 },
  { method: 'GET', path: '/metrics', baseMs: 3 },
];

const FAILURES = [
  { status: 500, error: 'java.lang.IllegalStateException: order total mismatch', frames: ['com.example.orders.OrderService.place(OrderService.java:142)', 'com.example.orders.OrderController.create(OrderController.java:58)'] },
  { status: 502, error: 'io.netty.channel.ConnectTimeoutException: connection timed out: inventory:8080', frames: ['io.netty.channel.nio.AbstractNioChannel$AbstractNioUnsafe$1.run(AbstractNioChannel.java:263)', 'com.example.inventory.InventoryClient.reserve(InventoryClient.java:77)'] },
  { status: 503, error: 'com.zaxxer.hikari.pool.HikariPool$PoolInitializationException: connection pool exhausted', frames: ['com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)', 'com.example.db.Repository.find(Repository.java:33)'] },
  { status: 504, error: 'java.util.concurrent.TimeoutException: payment gateway did not answer within 3000 ms', frames: ['com.example.payments.PaymentClient.charge(PaymentClient.java:91)', 'com.example.orders.Checkout.pay(Checkout.java:120)'] },
];

/** The image tag's say over the traffic: how often requests fail and how slow they are. */
export interface TrafficProfile {
  serverErrorRate: number;
  clientErrorRate: number;
  latencyFactor: number;
  stackTraceRate: number;
}

/** The profile of an image, from words in its tag (`errors`, `slow`). */
export function trafficProfileOf(image: string | undefined): TrafficProfile {
  const tag = (image ?? '').split('/').pop()?.split(':')[1] ?? '';
  const errors = tag.includes('errors');
  return {
    serverErrorRate: errors ? 0.2 : 0.005,
    clientErrorRate: 0.04,
    latencyFactor: tag.includes('slow') ? 10 : 1,
    stackTraceRate: errors ? 0.5 : 0,
  };
}

/** A 32-bit hash of a string (FNV-1a): the seed of a request's generator. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough to vary simulated traffic. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The lines of request number `index` handled at `at` by a container: `app` names the program
 * (as structured logs do), `seed` identifies the container instance (pod uid and container).
 * Lines carry the app's own ISO timestamp and level in front, like most JSON-less app logs.
 */
export function requestLines(seed: string, app: string, profile: TrafficProfile, at: Date, index: number): RequestLines {
  const random = generator(hash(`${seed}/${at.getTime()}/${index}`));
  const route = ROUTES[Math.floor(random() * ROUTES.length)] ?? ROUTES[0]!;
  const path = route.path.replace('{id}', String(1 + Math.floor(random() * 99_999)));
  const roll = random();
  const id = Math.floor(random() * 0xffffffffff).toString(16).padStart(10, '0');
  // Log-normal-ish latency: most requests near the route's base, a long tail.
  let duration = Math.max(1, Math.round(route.baseMs * profile.latencyFactor * Math.exp(random() * random() * 3)));
  const stamp = `${at.toISOString()} INFO ${app}`;
  if (roll < profile.serverErrorRate) {
    const failure = FAILURES[Math.floor(random() * FAILURES.length)] ?? FAILURES[0]!;
    duration = Math.round(duration * 20 + 200 * profile.latencyFactor);
    const lines = [`${stamp} handled request id=${id} method=${route.method} path=${path} status=${failure.status} duration_ms=${duration}`];
    if (random() < profile.stackTraceRate) {
      lines.push(`${at.toISOString()} ERROR ${app} request id=${id} failed: ${failure.error}`);
      for (const frame of failure.frames) lines.push(`\tat ${frame}`);
      lines.push('\t... 42 common frames omitted');
    }
    return lines;
  }
  const status = roll < profile.serverErrorRate + profile.clientErrorRate ? (random() < 0.7 ? 404 : 400) : route.method === 'POST' ? 201 : 200;
  const lines = [`${stamp} handled request id=${id} method=${route.method} path=${path} status=${status} duration_ms=${duration}`];
  if (duration > 1000 * profile.latencyFactor && random() < 0.5) lines.push(`${at.toISOString()} WARN ${app} slow request id=${id} took ${duration} ms (threshold 1000 ms)`);
  return lines;
}
