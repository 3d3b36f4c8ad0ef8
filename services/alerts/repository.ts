import { and, asc, count, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { alertDeliveries, alerts, alertSubscriptions, alertTemplates, apps, environments } from '../../db/schema/index.ts';
import { BUILT_IN_TEMPLATES } from './templates.ts';
import { randomUUID } from 'node:crypto';

export type AlertTemplateRow = typeof alertTemplates.$inferSelect;
export type AlertSubscriptionRow = typeof alertSubscriptions.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;

/** Inserts the built-in templates that are missing (by name); never changes existing rows. */
export async function seedBuiltInTemplates(tx: Tx): Promise<void> {
  await tx
    .insert(alertTemplates)
    .values(BUILT_IN_TEMPLATES.map((t) => ({ id: randomUUID(), ...t, builtIn: true })))
    .onConflictDoNothing({ target: alertTemplates.name });
}

export function listTemplates(tx: Tx): Promise<AlertTemplateRow[]> {
  return tx.select().from(alertTemplates).orderBy(asc(alertTemplates.name));
}

export function findTemplatesByIds(tx: Tx, ids: readonly string[]): Promise<AlertTemplateRow[]> {
  return ids.length ? tx.select().from(alertTemplates).where(inArray(alertTemplates.id, [...ids])) : Promise.resolve([]);
}

export async function insertTemplate(tx: Tx, row: typeof alertTemplates.$inferInsert): Promise<AlertTemplateRow> {
  const [inserted] = await tx.insert(alertTemplates).values(row).returning();
  return inserted!;
}

export function findSubscriptionsByIds(tx: Tx, ids: readonly string[]): Promise<AlertSubscriptionRow[]> {
  return ids.length ? tx.select().from(alertSubscriptions).where(inArray(alertSubscriptions.id, [...ids])) : Promise.resolve([]);
}

export function subscriptionsOfEnvironment(tx: Tx, environmentId: string): Promise<AlertSubscriptionRow[]> {
  return tx.select().from(alertSubscriptions).where(eq(alertSubscriptions.environmentId, environmentId)).orderBy(asc(alertSubscriptions.createdAt), asc(alertSubscriptions.id));
}

export async function insertSubscription(tx: Tx, row: typeof alertSubscriptions.$inferInsert): Promise<AlertSubscriptionRow> {
  const [inserted] = await tx.insert(alertSubscriptions).values(row).returning();
  return inserted!;
}

export async function deleteSubscription(tx: Tx, id: string): Promise<boolean> {
  return (await tx.delete(alertSubscriptions).where(eq(alertSubscriptions.id, id)).returning({ id: alertSubscriptions.id })).length > 0;
}

/** Every subscription with its template and environment: the rule file's source. */
export function allSubscriptionsForRules(tx: Tx) {
  return tx
    .select({
      id: alertSubscriptions.id,
      projectId: alertSubscriptions.projectId,
      cluster: environments.cluster,
      namespace: environments.namespace,
      app: apps.name,
      environment: environments.name,
      templateName: alertTemplates.name,
      expression: alertTemplates.expression,
      forSeconds: alertTemplates.forSeconds,
      severity: alertTemplates.severity,
      values: alertSubscriptions.parameters,
    })
    .from(alertSubscriptions)
    .innerJoin(alertTemplates, eq(alertTemplates.id, alertSubscriptions.templateId))
    .innerJoin(environments, eq(environments.id, alertSubscriptions.environmentId))
    .innerJoin(apps, eq(apps.id, environments.appId))
    .orderBy(asc(alertSubscriptions.id));
}

export function findAlertsByIds(tx: Tx, ids: readonly string[]): Promise<AlertRow[]> {
  return ids.length ? tx.select().from(alerts).where(inArray(alerts.id, [...ids])) : Promise.resolve([]);
}

/** The stored alert of (fingerprint, startsAt), locked for the receiver's update. */
export async function lockAlert(tx: Tx, fingerprint: string, startsAt: Date): Promise<AlertRow | undefined> {
  const [row] = await tx.select().from(alerts).where(and(eq(alerts.fingerprint, fingerprint), eq(alerts.startsAt, startsAt))).for('update');
  return row;
}

/** Inserts an alert unless (fingerprint, startsAt) exists. @returns the row, or undefined when it existed. */
export async function insertAlert(tx: Tx, row: typeof alerts.$inferInsert): Promise<AlertRow | undefined> {
  const [inserted] = await tx.insert(alerts).values(row).onConflictDoNothing({ target: [alerts.fingerprint, alerts.startsAt] }).returning();
  return inserted;
}

export async function resolveAlert(tx: Tx, id: string, endsAt: Date, at: Date): Promise<AlertRow> {
  const [row] = await tx.update(alerts).set({ status: 'RESOLVED', endsAt, updatedAt: at }).where(eq(alerts.id, id)).returning();
  return row!;
}

/** A page of an environment's alerts, newest first, after the (startsAt, id) cursor. */
export async function pageAlerts(tx: Tx, environmentId: string, status: 'FIRING' | 'RESOLVED' | null, limit: number, after: { startsAt: Date; id: string } | null) {
  const base = and(eq(alerts.environmentId, environmentId), status ? eq(alerts.status, status) : undefined);
  const where = after ? and(base, or(lt(alerts.startsAt, after.startsAt), and(eq(alerts.startsAt, after.startsAt), lt(alerts.id, after.id)))) : base;
  const rows = await tx.select().from(alerts).where(where).orderBy(desc(alerts.startsAt), desc(alerts.id)).limit(limit + 1);
  const [total] = await tx.select({ n: count() }).from(alerts).where(base);
  return { rows, totalCount: total?.n ?? 0 };
}

export async function insertDelivery(tx: Tx, row: typeof alertDeliveries.$inferInsert): Promise<void> {
  await tx.insert(alertDeliveries).values(row);
}

export async function findDelivery(tx: Tx, id: string): Promise<AlertDeliveryRow | undefined> {
  const [row] = await tx.select().from(alertDeliveries).where(eq(alertDeliveries.id, id));
  return row;
}

export { sql };
