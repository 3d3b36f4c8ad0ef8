import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { writeFileAtomically } from '../shared/atomic-file.ts';
import { CoalescedTask } from '../shared/coalesced-task.ts';
import type { Monitoring } from '../metrics/monitoring.ts';
import { findBinary } from '../metrics/managed-process.ts';
import { allSubscriptionsForRules } from './repository.ts';
import { renderExpression, type TemplateParameter } from './templates.ts';

const run = promisify(execFile);

/** The rule file Gantry owns (Prometheus loads `<rules dir>/*.rules.yml`). */
export const RULE_FILE = 'gantry.rules.yml';

/** The alert name of a subscription's rule; Alertmanager sends it back as a label. */
export const alertNameOf = (subscriptionId: string) => `gantry_${subscriptionId.replace(/-/g, '')}`;

/** One subscription with what its rule is made of. */
export interface RuleSource {
  id: string;
  projectId: string;
  cluster: string;
  namespace: string;
  app: string;
  environment: string;
  templateName: string;
  expression: string;
  forSeconds: number;
  severity: string;
  values: Record<string, string>;
}

/** The rule file's text (JSON, which is YAML): one group, one alerting rule per subscription. */
export function renderRules(sources: readonly RuleSource[]): string {
  const rules = sources.map((s) => ({
    alert: alertNameOf(s.id),
    expr: renderExpression(s.expression, s, s.values),
    for: `${s.forSeconds}s`,
    labels: { severity: s.severity.toLowerCase(), gantry_subscription: s.id, gantry_project: s.projectId, namespace: s.namespace, app: s.app, environment: s.environment },
    // The template name is checked to hold no template braces; the value is Prometheus' own.
    annotations: { summary: `${s.templateName} on ${s.app} ${s.environment} (value {{ $value | humanize }})` },
  }));
  return `${JSON.stringify({ groups: [{ name: 'gantry-subscriptions', rules }] }, null, 1)}\n`;
}

/**
 * `promtool check rules` on a file. @returns null when it passes, else promtool's complaint
 * (which may quote the rule: never show it to users, only log it).
 */
export async function checkRuleFile(file: string): Promise<string | null> {
  const promtool = findBinary('promtool');
  if (!promtool) return 'promtool is not installed (Debian package prometheus)';
  try {
    await run(promtool, ['check', 'rules', file], { timeout: 20_000 });
    return null;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().slice(0, 2000) || 'promtool failed';
  }
}

/**
 * Keeps Prometheus' rules equal to the subscriptions: renders them into a candidate file, checks
 * it with promtool, renames it over the live file (atomic) and asks Prometheus to reload. A
 * candidate that fails the check is deleted and never replaces the good file. One render at a
 * time; a request during a render runs once more after it.
 */
export class AlertRules {
  private readonly syncing = new CoalescedTask(
    () => this.syncOnce(),
    (error) => this.options.logger.warn({ err: (error as Error).message }, 'alert rules not applied; will retry on the next change'),
  );
  private lastApplied = '';

  constructor(private readonly options: { db: Database; monitoring: Monitoring; logger: Logger }) {}

  get file(): string {
    return join(this.options.monitoring.rulesDir, RULE_FILE);
  }

  /** Re-renders now; resolves when the file is in place and Prometheus has reloaded (or failed to). */
  sync(): Promise<void> {
    return this.syncing.run();
  }

  private async syncOnce(): Promise<void> {
    // Without a Prometheus nothing evaluates rules (and each check costs a promtool run).
    if (!this.options.monitoring.prometheusOrNull) return;
    const rows = await allSubscriptionsForRules(this.options.db);
    const text = renderRules(rows.map((r) => ({ ...r, values: r.values as Record<string, string> })));
    if (text === this.lastApplied) return;
    const candidate = `${this.file}.candidate`;
    await writeFileAtomically(candidate, text);
    const problem = await checkRuleFile(candidate);
    if (problem) {
      await rm(candidate, { force: true });
      this.options.logger.error({ problem }, 'rendered alert rules failed promtool check rules; the previous rule file stays');
      return;
    }
    await writeFileAtomically(this.file, text);
    await rm(candidate, { force: true });
    this.lastApplied = text;
    await this.options.monitoring.prometheusOrNull?.reload();
  }
}

/** Checks one template by rendering it with sample values into a scratch file. @returns promtool's complaint, or null. */
export async function checkTemplate(dir: string, spec: { expression: string; forSeconds: number; parameters: TemplateParameter[] }): Promise<string | null> {
  const values = Object.fromEntries(spec.parameters.map((p) => [p.name, p.default ?? (p.type === 'NUMBER' ? '1' : '5m')]));
  const text = renderRules([{ id: '00000000-0000-0000-0000-000000000000', projectId: 'check', cluster: 'c', namespace: 'ns', app: 'app', environment: 'env', templateName: 'check', expression: spec.expression, forSeconds: spec.forSeconds, severity: 'INFO', values }]);
  const file = join(dir, `template-check-${process.pid}-${Date.now()}.yml`);
  await writeFileAtomically(file, text);
  try {
    return await checkRuleFile(file);
  } finally {
    await rm(file, { force: true });
  }
}
