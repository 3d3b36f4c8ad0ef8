/**
 * Server-side `Table` output for `kubectl get` (requested with `Accept: …;as=Table;g=meta.k8s.io`),
 * for lists, single objects and watch events.
 */
import type { KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';
import { COLUMNS, DEFAULT_COLUMNS } from './table-columns.ts';
import type { WatchEncoding } from './watch.ts';

/** What each row carries besides its cells (the `includeObject` query parameter). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Returns true when the Accept header asks for a meta.k8s.io Table. */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** Builds a Table of `objects` with the type's columns. */
export function toTable(type: ResourceType, objects: KubeObject[], include: IncludeObject, listMeta: Record<string, unknown> = {}): Record<string, unknown> {
  const columns = COLUMNS[type.id] ?? DEFAULT_COLUMNS;
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((column) => ({
      name: column.name,
      type: column.type,
      format: column.name === 'Name' ? 'name' : '',
      description: column.name,
      priority: column.priority ?? 0,
    })),
    rows: objects.map((object) => {
      const row: Record<string, unknown> = { cells: columns.map((column) => column.cell(object, now)) };
      const included = rowObject(object, include);
      if (included !== undefined) row['object'] = included;
      return row;
    }),
  };
}

/** The watch encoding that turns every event object into a one-row Table. */
export function tableWatchEncoding(type: ResourceType, include: IncludeObject): WatchEncoding {
  return { id: `table:${include}`, encode: (object) => toTable(type, [object], include) };
}
