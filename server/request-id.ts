import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The id of the request being served, for error masking and log lines deep in the call stack. */
export const requestIdStorage = new AsyncLocalStorage<string>();

const CLIENT_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Keeps a well-formed `x-request-id` from a proxy, so traces line up; otherwise makes one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && CLIENT_ID.test(value) ? value : randomUUID();
}

export function currentRequestId(): string | undefined {
  return requestIdStorage.getStore();
}
