import { randomUUID } from 'node:crypto';
import type { Tx } from '../../db/client.ts';
import type { RequestScope } from '../scope.ts';
import { insertAuditEntry } from './repository.ts';
import { redactSecretFields } from './secret-fields.ts';

/** Keys whose values never reach the audit log. */
const SECRET_KEY = /token|secret|password|kubeconfig|credential|private.?key|authorization/i;

/** Replaces the value of every secret-looking key, at any depth, with "[REDACTED]". */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[REDACTED]' : redact(v)]),
    );
  }
  return value;
}

export interface AuditRecord {
  /** `<object>.<verb>`, e.g. `app.create`. */
  action: string;
  targetType: string;
  targetId: string | null;
  projectId: string | null;
  /** The mutation's input; redacted here. */
  details: unknown;
  /**
   * The GraphQL input type `details` is a value of (e.g. `SetSecretInput`): its `@secret` fields
   * are redacted whatever their names. Without it only secret-looking key names are.
   */
  inputType?: string;
}

/** Writes one audit row in the caller's transaction, so it commits or rolls back with the change. */
export async function recordAudit(tx: Tx, scope: RequestScope, record: AuditRecord): Promise<void> {
  await insertAuditEntry(tx, {
    id: randomUUID(),
    at: scope.clock.now(),
    actorId: scope.principal?.userId ?? null,
    projectId: record.projectId,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId,
    details: redact(record.inputType ? redactSecretFields(record.details ?? null, record.inputType) : (record.details ?? null)) as object,
    requestId: scope.requestId,
  });
}
