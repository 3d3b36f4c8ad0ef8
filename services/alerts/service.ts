import { randomUUID } from 'node:crypto';
import type { AlertParameterType, AlertStatus, CreateAlertTemplateInput, SubscribeToAlertInput } from '../../resolvers/types.generated.ts';
import { authorizeProject } from '../access/guard.ts';
import { requireAdmin, requirePrincipal } from '../access/policy.ts';
import { AccessMonitor, deliverWhileAllowed } from '../access/revalidation.ts';
import { requireVisibleEnvironment } from '../apps/service.ts';
import type { EnvironmentRow } from '../apps/repository.ts';
import { recordAudit } from '../audit/record.ts';
import { requireVisibleProject } from '../projects/service.ts';
import type { RequestScope } from '../scope.ts';
import { Channel } from '../shared/channel.ts';
import { badInput, conflict, isUniqueViolation, notFound } from '../shared/errors.ts';
import { idOf } from '../shared/ids.ts';
import { pageRequest, toConnection, type PageArgs } from '../shared/pagination.ts';
import { requireIntInRange, requireText } from '../shared/validation.ts';
import * as repo from './repository.ts';
import { checkTemplate } from './rules.ts';
import { PARAMETER_NAME, placeholdersOf, resolveParameters, SCOPE_PLACEHOLDERS, validValue, type TemplateParameter } from './templates.ts';

const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/;
const SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;

/** The template's parameters, typed. */
export function parametersOf(template: repo.AlertTemplateRow): TemplateParameter[] {
  return template.parameters as TemplateParameter[];
}

export function listTemplates(scope: RequestScope): Promise<repo.AlertTemplateRow[]> {
  requirePrincipal(scope.principal);
  return repo.listTemplates(scope.db);
}

/** Any authenticated user may read templates (they hold no project data). */
export async function requireTemplate(scope: RequestScope, id: string): Promise<repo.AlertTemplateRow> {
  requirePrincipal(scope.principal);
  const [row] = await repo.findTemplatesByIds(scope.db, [id]);
  if (!row) throw notFound('AlertTemplate');
  return row;
}

/**
 * `createAlertTemplate` (platform admins): name, parameters and placeholders checked, then the
 * expression rendered with sample values and checked with `promtool check rules`.
 */
export async function createAlertTemplate(scope: RequestScope, input: CreateAlertTemplateInput): Promise<repo.AlertTemplateRow> {
  requireAdmin(scope.principal, 'create alert templates');
  const name = requireText('input.name', input.name, 100);
  if (!TEMPLATE_NAME.test(name)) throw badInput('input.name', 'input.name may hold letters, digits, spaces and - _ . only');
  const description = input.description == null ? null : requireText('input.description', input.description, 2000, { allowEmpty: true });
  const expression = requireText('input.expression', input.expression, 4000);
  const forSeconds = requireIntInRange('input.forSeconds', input.forSeconds ?? 60, 0, 86_400);
  if (!(SEVERITIES as readonly string[]).includes(input.severity)) throw badInput('input.severity', 'input.severity is not a severity');
  const parameters: TemplateParameter[] = (input.parameters ?? []).map((p, i) => {
    const field = `input.parameters[${i}]`;
    if (!PARAMETER_NAME.test(p.name) || (SCOPE_PLACEHOLDERS as readonly string[]).includes(p.name)) throw badInput(`${field}.name`, `${field}.name must match [a-z][a-zA-Z0-9_]* (at most 40) and not be cluster, namespace or app`);
    const type: AlertParameterType = p.type ?? 'NUMBER';
    if (p.default != null && !validValue(type, p.default)) throw badInput(`${field}.default`, `${field}.default is not a valid ${type.toLowerCase()}`);
    return { name: p.name, description: p.description == null ? null : requireText(`${field}.description`, p.description, 500, { allowEmpty: true }), default: p.default ?? null, type };
  });
  if (new Set(parameters.map((p) => p.name)).size !== parameters.length) throw badInput('input.parameters', 'input.parameters names a parameter twice');
  const known = new Set<string>([...SCOPE_PLACEHOLDERS, ...parameters.map((p) => p.name)]);
  if (placeholdersOf(expression).some((p) => !known.has(p))) throw badInput('input.expression', 'input.expression uses a ${placeholder} that is not a declared parameter, cluster, namespace or app');
  const problem = await checkTemplate(scope.monitoring.rulesDir, { expression, forSeconds, parameters });
  if (problem) {
    // promtool's text quotes the expression: it stays out of the answer.
    throw badInput('input.expression', 'input.expression is not a valid PromQL alerting expression (promtool check rules refused it)');
  }
  try {
    return await scope.db.transaction(async (tx) => {
      const row = await repo.insertTemplate(tx, { id: randomUUID(), name, description, expression, forSeconds, severity: input.severity, parameters, builtIn: false });
      await recordAudit(tx, scope, { action: 'alert.template.create', targetType: 'AlertTemplate', targetId: row.id, projectId: null, details: input });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('An alert template with this name exists');
    throw error;
  }
}

function requireWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput('input.webhookUrl', 'input.webhookUrl must be an http(s) URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || value.length > 2000 || url.username || url.password) {
    throw badInput('input.webhookUrl', 'input.webhookUrl must be an http(s) URL without credentials, at most 2000 characters');
  }
  return url.toString();
}

/** `subscribeToAlert`: DEVELOPER (MAINTAINER on protected environments); the rules are re-rendered and reloaded before it answers. */
export async function subscribeToAlert(scope: RequestScope, input: SubscribeToAlertInput): Promise<repo.AlertSubscriptionRow> {
  const templateId = idOf('AlertTemplate', input.templateId, 'input.templateId');
  const environmentId = idOf('Environment', input.environmentId, 'input.environmentId');
  const webhookUrl = input.webhookUrl == null ? null : requireWebhookUrl(input.webhookUrl);
  const { environment, app } = await requireVisibleEnvironment(scope, environmentId);
  const principal = await authorizeProject(scope, app.projectId, environment.protected ? 'alert.subscribe.protected' : 'alert.subscribe', 'Environment');
  const template = await requireTemplate(scope, templateId).catch(() => {
    throw badInput('input.templateId', 'input.templateId is not an alert template');
  });
  const values = resolveParameters(parametersOf(template), input.parameters);
  const row = await scope.db.transaction(async (tx) => {
    const inserted = await repo.insertSubscription(tx, {
      id: randomUUID(), templateId, environmentId, projectId: app.projectId, parameters: values, webhookUrl,
      abortsReleases: input.abortsReleases ?? false, createdBy: principal.userId, createdAt: scope.clock.now(),
    });
    await recordAudit(tx, scope, { action: 'alert.subscribe', targetType: 'AlertSubscription', targetId: inserted.id, projectId: app.projectId, details: { ...input, webhookUrl: webhookUrl ? '[set]' : null } });
    return inserted;
  });
  await scope.alerts.rulesChanged();
  return row;
}

/** `unsubscribeFromAlert`: same roles as subscribing. */
export async function unsubscribeFromAlert(scope: RequestScope, globalId: string): Promise<boolean> {
  const id = idOf('AlertSubscription', globalId, 'id');
  const subscription = await requireVisibleSubscription(scope, id);
  const { environment } = await requireVisibleEnvironment(scope, subscription.environmentId);
  await authorizeProject(scope, subscription.projectId, environment.protected ? 'alert.subscribe.protected' : 'alert.subscribe', 'AlertSubscription');
  await scope.db.transaction(async (tx) => {
    if (!(await repo.deleteSubscription(tx, id))) throw notFound('AlertSubscription');
    await recordAudit(tx, scope, { action: 'alert.unsubscribe', targetType: 'AlertSubscription', targetId: id, projectId: subscription.projectId, details: { id: globalId } });
  });
  await scope.alerts.rulesChanged();
  return true;
}

export async function requireVisibleSubscription(scope: RequestScope, id: string): Promise<repo.AlertSubscriptionRow> {
  const [row] = await repo.findSubscriptionsByIds(scope.db, [id]);
  if (!row) throw notFound('AlertSubscription');
  await authorizeProject(scope, row.projectId, 'project.read', 'AlertSubscription');
  return row;
}

export async function requireVisibleAlert(scope: RequestScope, id: string): Promise<repo.AlertRow> {
  const [row] = await repo.findAlertsByIds(scope.db, [id]);
  if (!row) throw notFound('Alert');
  await authorizeProject(scope, row.projectId, 'project.read', 'Alert');
  return row;
}

export function subscriptionsOfEnvironment(scope: RequestScope, environment: EnvironmentRow) {
  return repo.subscriptionsOfEnvironment(scope.db, environment.id);
}

/** `Environment.alerts`, newest first. */
export async function alertsOfEnvironment(scope: RequestScope, environment: EnvironmentRow, status: AlertStatus | null | undefined, args: PageArgs) {
  const page = pageRequest(args);
  let after: { startsAt: Date; id: string } | null = null;
  if (page.after) {
    const [at, id] = page.after.split('|');
    const startsAt = new Date(Number(at));
    if (!id || Number.isNaN(startsAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw badInput('after', 'after is not a valid cursor');
    after = { startsAt, id };
  }
  const { rows, totalCount } = await repo.pageAlerts(scope.db, environment.id, status ?? null, page.first, after);
  return toConnection(rows, page, totalCount, (r) => `${r.startsAt.getTime()}|${r.id}`);
}

/** `alertEvents(projectId)`: every alert change in the project, while the caller may read it. */
export async function subscribeAlertEvents(scope: RequestScope, projectGlobalId: string): Promise<AsyncIterableIterator<repo.AlertRow>> {
  const projectId = idOf('Project', projectGlobalId, 'projectId');
  await requireVisibleProject(scope, projectId);
  const access = new AccessMonitor(scope, scope.principal!, projectId, 'project.read');
  const channel = new Channel<repo.AlertRow>();
  const deliver = deliverWhileAllowed<repo.AlertRow>(access, 'Project', (row) => channel.push(row), (error) => channel.fail(error));
  const unsubscribe = scope.alerts.bus.subscribe((id) => {
    void repo.findAlertsByIds(scope.db, [id]).then(([row]) => {
      if (row && row.projectId === projectId) deliver(row);
    }, () => undefined);
  });
  channel.onClose(() => {
    unsubscribe();
    access.close();
  });
  return channel;
}
