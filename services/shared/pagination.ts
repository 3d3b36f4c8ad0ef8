import { badInput } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

/** A decoded page request: how many rows, and the sort key to start after. */
export interface PageRequest {
  first: number;
  after: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/**
 * Validates `first`/`after`. Cursors are opaque (base64url of the sort key).
 * @throws BAD_USER_INPUT naming `first` or `after`.
 */
export function pageRequest(args: PageArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  let after: string | null = null;
  if (args.after != null) {
    const decoded = Buffer.from(args.after, 'base64url').toString('utf8');
    // A NUL would reach PostgreSQL, which cannot take it in a text parameter: refuse it here.
    if (!decoded.startsWith('c:') || args.after.length > 512 || decoded.includes('\u0000')) throw badInput('after', 'after is not a valid cursor');
    after = decoded.slice(2);
  }
  return { first, after };
}

/** Encodes a sort key as an opaque cursor. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(`c:${key}`, 'utf8').toString('base64url');
}

/**
 * Builds a connection from rows fetched with `limit first + 1` after the cursor:
 * the extra row only tells whether there is a next page.
 */
export function toConnection<T>(
  rows: T[],
  page: PageRequest,
  totalCount: number,
  keyOf: (row: T) => string | number,
): Connection<T> {
  return new PageOf(rows.slice(0, page.first), totalCount, rows.length > page.first, page.after !== null, keyOf);
}

/**
 * A connection whose cursors are encoded when asked for: most queries select `nodes` and
 * `totalCount` only, and encoding a cursor per item (a Buffer and two strings each) was work
 * every dashboard request threw away.
 */
class PageOf<T> implements Connection<T> {
  private made: { edges: { cursor: string; node: T }[]; pageInfo: Connection<T>['pageInfo'] } | undefined;

  constructor(
    readonly nodes: T[],
    readonly totalCount: number,
    private readonly hasNextPage: boolean,
    private readonly hasPreviousPage: boolean,
    private readonly keyOf: (row: T) => string | number,
  ) {}

  get edges(): { cursor: string; node: T }[] {
    return this.cursors().edges;
  }

  get pageInfo(): Connection<T>['pageInfo'] {
    return this.cursors().pageInfo;
  }

  private cursors() {
    if (this.made) return this.made;
    const edges = this.nodes.map((node) => ({ cursor: encodeCursor(this.keyOf(node)), node }));
    const pageInfo = { hasNextPage: this.hasNextPage, hasPreviousPage: this.hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null };
    return (this.made = { edges, pageInfo });
  }
}

/** Pages through rows already in memory, sorted by `keyOf` ascending (or as given). */
export function paginateInMemory<T>(sorted: T[], args: PageArgs, keyOf: (row: T) => string | number): Connection<T> {
  const page = pageRequest(args);
  let start = 0;
  if (page.after !== null) {
    const idx = sorted.findIndex((row) => String(keyOf(row)) === page.after);
    start = idx >= 0 ? idx + 1 : sorted.findIndex((row) => String(keyOf(row)) > (page.after as string));
    if (start < 0) start = sorted.length;
  }
  return toConnection(sorted.slice(start, start + page.first + 1), page, sorted.length, keyOf);
}
