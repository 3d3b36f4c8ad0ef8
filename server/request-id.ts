import { randomUUID } from 'node:crypto';

const CLIENT_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Keeps a well-formed `x-request-id` from a proxy, so traces line up; otherwise makes one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && CLIENT_ID.test(value) ? value : randomUUID();
}

