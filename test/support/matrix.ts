import { count, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { apiTokens, apps, auditEntries, environments, projectMembers, projects, users } from '../../db/schema/index.ts';
import type { ErrorCode } from '../../services/shared/errors.ts';
import { unique } from './fixtures.ts';
import type { GraphQLResponse, TestServer } from './server.ts';

/** Every kind of caller an authorization rule distinguishes, in the column order of the tables. */
export const PRINCIPALS = ['anonymous', 'nonMember', 'VIEWER', 'DEVELOPER', 'MAINTAINER', 'OWNER', 'admin'] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

/** What one cell of an authorization table expects: success, or the first error's code. */
export type Expected = 'ok' | ErrorCode;

/** One expected outcome per principal, in {@link PRINCIPALS} order. */
export type Row = readonly [Expected, Expected, Expected, Expected, Expected, Expected, Expected];

export interface Cell<Op extends string> {
  operation: Op;
  principal: PrincipalName;
  expected: Expected;
}

/** Expands a table of rows into one cell per (operation, principal), for `it.each`. */
export function cellsOf<Op extends string>(table: Record<Op, Row>): Cell<Op>[] {
  return (Object.entries(table) as [Op, Row][]).flatMap(([operation, row]) =>
    PRINCIPALS.map((principal, i) => ({ operation, principal, expected: row[i]! })),
  );
}

/** The outcome label of a response: 'ok', or the first error's code. */
export function outcomeOf(res: GraphQLResponse): string {
  return res.errors?.length ? String(res.errors[0]!.extensions?.code) : 'ok';
}

/**
 * Fails when the body carries a stack trace or an exception object anywhere: neither a
 * `stacktrace`/`exception` key at any depth nor a string that looks like a stack frame.
 */
export function expectNoLeak(body: unknown): void {
  const leaks: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (/\n\s+at \S/.test(value) || /\.(ts|js):\d+:\d+/.test(value)) leaks.push(`${path}: ${value.slice(0, 120)}`);
      return;
    }
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`));
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (/^(stacktrace|exception|stack)$/i.test(k)) leaks.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
    }
  };
  walk(body, '$');
  expect(leaks, 'no stack trace or exception in the response').toEqual([]);
}

/** Rows in the audit log, across all projects and global actions: the oracle for "nothing was written". */
export async function auditRowCount(t: TestServer): Promise<number> {
  const [row] = await t.server.database.db.select({ n: count() }).from(auditEntries);
  return row?.n ?? 0;
}

/**
 * Row counts of every table an API mutation writes: equal before and after a refused request
 * means nothing was created, deleted or audited.
 */
export async function rowCounts(t: TestServer): Promise<Record<string, number>> {
  const db = t.server.database.db;
  const tables = { users, apiTokens, projects, projectMembers, apps, environments, auditEntries };
  const counts: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables)) {
    const [row] = await db.select({ n: count() }).from(table);
    counts[name] = row?.n ?? 0;
  }
  return counts;
}

/** API tokens stored for all users (revoked ones included). */
export async function apiTokenCount(t: TestServer): Promise<number> {
  const [row] = await t.server.database.db.select({ n: count() }).from(apiTokens);
  return row?.n ?? 0;
}

/** True when a user with this login exists. */
export async function userExists(t: TestServer, login: string): Promise<boolean> {
  const rows = await t.server.database.db.select({ id: users.id }).from(users).where(eq(users.login, login));
  return rows.length > 0;
}

/** Creates a user (as admin) without a token; returns its login. */
export async function aLogin(t: TestServer, prefix = 'someone'): Promise<string> {
  const login = unique(prefix);
  await t.ok(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { login } });
  return login;
}

/** Mints a token (as admin) for `login`; returns its global id and secret. */
export async function aTokenFor(t: TestServer, login: string, expiresAt?: string): Promise<{ id: string; token: string }> {
  const { createApiToken } = await t.ok(
    `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }`,
    { i: { name: unique('token'), login, ...(expiresAt ? { expiresAt } : {}) } },
  );
  return { id: createApiToken.apiToken.id, token: createApiToken.token };
}

/** The project's audit log size, read through the API as admin. */
export async function projectAuditCount(t: TestServer, projectId: string): Promise<number> {
  const data = await t.ok(`query($id: ID!) { node(id: $id) { ... on Project { auditLog(first: 0) { totalCount } } } }`, { id: projectId });
  return data.node.auditLog.totalCount;
}
