import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** What a lookahead needs of a resolver's `info`: the field's nodes and the document's fragments. */
export type SelectionInfo = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

/** The selection sets reached from the field's own through the fields named in `path`. */
function selectionsAt(info: SelectionInfo, path: readonly string[]): SelectionSetNode[] {
  let sets = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const name of path) {
    const next: SelectionSetNode[] = [];
    for (const set of sets) subSelections(set, name, info.fragments, next, new Set());
    sets = next;
  }
  return sets;
}

/** Adds the selection sets of the fields named `name` in `set` (through fragments) to `into`. */
function subSelections(set: SelectionSetNode, name: string, fragments: Record<string, FragmentDefinitionNode>, into: SelectionSetNode[], seen: Set<string>): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name && selection.selectionSet) into.push(selection.selectionSet);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      subSelections(selection.selectionSet, name, fragments, into, seen);
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment && !seen.has(fragment.name.value)) {
        seen.add(fragment.name.value);
        subSelections(fragment.selectionSet, name, fragments, into, seen);
      }
    }
  }
}

/** Adds the names of the fields selected in `set` (through fragments) to `into`. */
function fieldNames(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, into: Set<string>, seen: Set<string>): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) into.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fieldNames(selection.selectionSet, fragments, into, seen);
    else {
      const fragment = fragments[selection.name.value];
      if (fragment && !seen.has(fragment.name.value)) {
        seen.add(fragment.name.value);
        fieldNames(fragment.selectionSet, fragments, into, seen);
      }
    }
  }
}

/**
 * The names of the fields the operation selects on the object(s) this field resolves to, reached
 * through each of `paths` (`[]`: the field's own value; `['nodes']` and `['edges', 'node']`: a
 * connection's items). Conservative: fragments of every type condition count, and `@skip` /
 * `@include` are not evaluated, so a field that might be asked for is in the set.
 */
export function selectedFields(info: SelectionInfo, paths: readonly (readonly string[])[] = [[]]): Set<string> {
  const names = new Set<string>();
  for (const path of paths) for (const set of selectionsAt(info, path)) fieldNames(set, info.fragments, names, new Set());
  return names;
}

/** The paths to a connection's items, for {@link selectedFields}. */
export const CONNECTION_ITEMS: readonly (readonly string[])[] = [['nodes'], ['edges', 'node']];

/**
 * Which columns of a row answer the selected fields: `always` (keys the loaders group by) plus
 * each field's `needs`, sorted so one set of fields always gives one statement.
 * @returns null when a field has no entry in `needs` (its resolver may read any column): the
 * caller then reads whole rows. A field is listed only with every column its resolver, and the
 * services it calls with the row, read.
 */
export function columnsFor<C extends string>(fields: Iterable<string>, needs: Readonly<Record<string, readonly C[]>>, always: readonly C[]): C[] | null {
  const columns = new Set<C>(always);
  for (const field of fields) {
    if (field === '__typename') continue;
    const needed = Object.hasOwn(needs, field) ? needs[field] : undefined;
    if (!needed) return null;
    for (const column of needed) columns.add(column);
  }
  return [...columns].sort();
}

/**
 * `compute`, remembered per field node: a field node belongs to one parsed document, which
 * Apollo keeps across requests, and its selection does not change, so a list of 40 items (or
 * the next request with the same document) looks ahead once. Fields merged from several nodes
 * are computed each time.
 */
export function perFieldNode<T>(compute: (info: SelectionInfo) => T): (info: SelectionInfo) => T {
  const memo = new WeakMap<FieldNode, T>();
  return (info) => {
    const [node, ...others] = info.fieldNodes;
    if (!node || others.length > 0) return compute(info);
    if (memo.has(node)) return memo.get(node) as T;
    const value = compute(info);
    memo.set(node, value);
    return value;
  };
}

/**
 * The one node of the field `name` selected on the object(s) this field resolves to, through
 * `paths` as for {@link selectedFields}, as the SelectionInfo its own resolver will get: for a
 * parent that fetches what a child field reads ahead of it. Null when the field is not selected,
 * is selected more than once (aliases, or both a connection's `nodes` and `edges`: their column
 * sets could differ), or is under a directive (`@skip`/`@include` are not evaluated here).
 */
export function selectedFieldInfo(info: SelectionInfo, name: string, paths: readonly (readonly string[])[] = [[]]): SelectionInfo | null {
  const found: FieldNode[] = [];
  for (const path of paths) {
    for (const set of selectionsAt(info, path)) {
      if (!fieldNodesNamed(set, name, info.fragments, found, new Set())) return null;
    }
  }
  const [node, ...others] = found;
  if (!node || others.length > 0 || (node.directives?.length ?? 0) > 0) return null;
  return { fieldNodes: [node], fragments: info.fragments };
}

/**
 * Adds the field nodes named `name` in `set` (through fragments) to `into`.
 * @returns false when a fragment under a directive is met: whether it applies is not known here.
 */
function fieldNodesNamed(set: SelectionSetNode, name: string, fragments: Record<string, FragmentDefinitionNode>, into: FieldNode[], seen: Set<string>): boolean {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) into.push(selection);
      continue;
    }
    if (selection.directives?.length) return false;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!fieldNodesNamed(selection.selectionSet, name, fragments, into, seen)) return false;
      continue;
    }
    const fragment = fragments[selection.name.value];
    if (fragment && !seen.has(fragment.name.value)) {
      seen.add(fragment.name.value);
      if (!fieldNodesNamed(fragment.selectionSet, name, fragments, into, seen)) return false;
    }
  }
  return true;
}
