import { badInput } from './errors.ts';

/** Object types that have global IDs. */
export const NODE_TYPES = ['User', 'ApiToken', 'Project', 'App', 'Environment', 'AuditEntry', 'Release', 'Build', 'ConfigRevision', 'CronJob', 'CronJobRun', 'AlertTemplate', 'AlertSubscription', 'Alert', 'VmHost'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Global IDs made recently, per type: a dashboard names the same 100 objects on every request. */
const made = new Map<NodeType, Map<string, string>>();
/** Entries kept per type before the map starts over (about 100 bytes each). */
const MADE_PER_TYPE = 10_000;

/** An opaque global ID: base64url of `Type:uuid`. Clients must not parse it. */
export function toGlobalId(type: NodeType, id: string): string {
  let ofType = made.get(type);
  if (ofType === undefined) made.set(type, (ofType = new Map()));
  let globalId = ofType.get(id);
  if (globalId === undefined) {
    // Encoding allocated a string, a Buffer and its result per ID: 100 of each per dashboard.
    if (ofType.size >= MADE_PER_TYPE) ofType.clear();
    ofType.set(id, (globalId = Buffer.from(`${type}:${id}`, 'utf8').toString('base64url')));
  }
  return globalId;
}

/** Decodes a global ID; null for anything that is not one of ours. */
export function parseGlobalId(globalId: string): { type: NodeType; id: string } | null {
  if (globalId.length > 200) return null;
  const text = Buffer.from(globalId, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const type = text.slice(0, colon) as NodeType;
  const id = text.slice(colon + 1);
  if (!NODE_TYPES.includes(type) || !UUID.test(id)) return null;
  return { type, id };
}

/**
 * The database id behind a global ID argument that must be of `type`.
 * @throws BAD_USER_INPUT naming `field` when the ID is malformed or of another type.
 */
export function idOf(type: NodeType, globalId: string, field: string): string {
  const parsed = parseGlobalId(globalId);
  if (!parsed || parsed.type !== type) throw badInput(field, `${field} is not a valid ${type} ID`);
  return parsed.id;
}
