/**
 * Alert templates as data: the built-in set, parameter checks and the rendering of a template
 * into one subscription's PromQL. Pure; no I/O. A value reaches PromQL only after matching its
 * parameter's type (a number or a duration), so it can never add a selector or an operator.
 */
import type { AlertParameterType, AlertSeverity } from '../../resolvers/types.generated.ts';
import { badInput } from '../shared/errors.ts';

export interface TemplateParameter {
  name: string;
  description: string | null;
  default: string | null;
  type: AlertParameterType;
}

export interface TemplateSpec {
  name: string;
  description: string;
  expression: string;
  forSeconds: number;
  severity: AlertSeverity;
  parameters: TemplateParameter[];
}

/** Placeholders every subscription fills in from its environment. */
export const SCOPE_PLACEHOLDERS = ['cluster', 'namespace', 'app'] as const;

const istio = 'cluster="${cluster}",reporter="destination",destination_workload_namespace="${namespace}",destination_canonical_service="${app}"';
const pods = 'kube_pod_labels{cluster="${cluster}",namespace="${namespace}",label_app_kubernetes_io_name="${app}"}';
const p = (name: string, type: AlertParameterType, dflt: string, description: string): TemplateParameter => ({ name, type, default: dflt, description });

/** What Gantry ships (NieR's platform team's starting set). */
export const BUILT_IN_TEMPLATES: readonly TemplateSpec[] = [
  {
    name: 'High error ratio',
    description: 'Share of 5xx answers over the window above the threshold.',
    expression: `(sum(rate(istio_requests_total{${istio},response_code=~"5.."}[\${window}])) or vector(0)) / sum(rate(istio_requests_total{${istio}}[\${window}])) > \${threshold}`,
    forSeconds: 60,
    severity: 'CRITICAL',
    parameters: [p('threshold', 'NUMBER', '0.05', 'Largest acceptable share of 5xx (0..1).'), p('window', 'DURATION', '5m', 'Rate window.')],
  },
  {
    name: 'High p99 latency',
    description: '99th percentile latency over the window above the threshold.',
    expression: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${istio}}[\${window}]))) / 1000 > \${seconds}`,
    forSeconds: 120,
    severity: 'WARNING',
    parameters: [p('seconds', 'NUMBER', '1', 'Largest acceptable p99, seconds.'), p('window', 'DURATION', '5m', 'Rate window.')],
  },
  {
    name: 'Pod restarts',
    description: 'Container restarts of the environment in the window above the threshold.',
    expression: `sum(increase(kube_pod_container_status_restarts_total{cluster="\${cluster}",namespace="\${namespace}"}[\${window}]) * on (cluster, namespace, pod) group_left ${pods}) > \${restarts}`,
    forSeconds: 0,
    severity: 'WARNING',
    parameters: [p('restarts', 'NUMBER', '0', 'Restarts tolerated in the window.'), p('window', 'DURATION', '15m', 'Window.')],
  },
  {
    name: 'Memory near limit',
    description: 'A container of the environment uses more than this share of its memory limit.',
    expression: `max(container_memory_working_set_bytes{cluster="\${cluster}",namespace="\${namespace}",container!=""} / container_spec_memory_limit_bytes{cluster="\${cluster}",namespace="\${namespace}",container!=""} * on (cluster, namespace, pod) group_left ${pods}) > \${ratio}`,
    forSeconds: 300,
    severity: 'WARNING',
    parameters: [p('ratio', 'NUMBER', '0.9', 'Share of the limit (0..1).')],
  },
  {
    name: 'No traffic',
    description: 'The environment served (almost) no requests over the window.',
    expression: `(sum(rate(istio_requests_total{${istio}}[\${window}])) or vector(0)) <= \${minimum}`,
    forSeconds: 300,
    severity: 'INFO',
    parameters: [p('minimum', 'NUMBER', '0', 'Requests per second at or under which it fires.'), p('window', 'DURATION', '5m', 'Rate window.')],
  },
];

const NUMBER = /^-?(?:\d{1,15})(?:\.\d{1,15})?$/;
const DURATION = /^(?:\d{1,6}(?:ms|s|m|h|d|w|y)){1,3}$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;
export const PARAMETER_NAME = /^[a-z][a-zA-Z0-9_]{0,39}$/;

/** True when `value` is a valid value of `type`. */
export function validValue(type: AlertParameterType, value: string): boolean {
  return type === 'NUMBER' ? NUMBER.test(value) : DURATION.test(value);
}

/** Names of the placeholders in an expression. */
export function placeholdersOf(expression: string): string[] {
  return [...expression.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * The subscription's values: each declared parameter from `given` (string or number) or its
 * default, checked against its type; unknown names refused.
 * @throws BAD_USER_INPUT on `input.parameters.<name>` (values are never echoed).
 */
export function resolveParameters(parameters: readonly TemplateParameter[], given: unknown): Record<string, string> {
  if (given !== null && given !== undefined && (typeof given !== 'object' || Array.isArray(given))) throw badInput('input.parameters', 'input.parameters must be an object of values by parameter name');
  const values = (given ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    if (!parameters.some((p) => p.name === name)) throw badInput('input.parameters', 'input.parameters names a parameter the template does not have');
  }
  const out: Record<string, string> = {};
  for (const parameter of parameters) {
    const raw = values[parameter.name];
    const value = raw === undefined || raw === null ? parameter.default : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : typeof raw === 'string' ? raw : undefined;
    const field = `input.parameters.${parameter.name}`;
    if (value === null) throw badInput(field, `${field} is required (the template has no default)`);
    if (value === undefined || !validValue(parameter.type, value)) {
      throw badInput(field, `${field} must be ${parameter.type === 'NUMBER' ? 'a decimal number such as 0.05' : 'a Prometheus duration such as 5m'}`);
    }
    out[parameter.name] = value;
  }
  return out;
}

/** The template's expression with every placeholder replaced. Scope values are DNS labels (Gantry's own rows). */
export function renderExpression(expression: string, scope: { cluster: string; namespace: string; app: string }, values: Record<string, string>): string {
  return expression.replace(PLACEHOLDER, (_, name: string) => {
    if (name === 'cluster' || name === 'namespace' || name === 'app') return scope[name];
    const value = values[name];
    if (value === undefined) throw new Error(`renderExpression: no value for a placeholder`);
    return value;
  });
}
