/**
 * Label and field selectors, parsed once per request and matched per object. The grammar
 * is the API server's: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
 */
import { badRequest } from './errors.ts';
import type { KubeObject } from './objects.ts';

type Operator = 'exists' | 'notExists' | 'in' | 'notIn' | 'gt' | 'lt';

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** A parsed selector: an AND of requirements. An empty selector matches everything. */
export interface Selector {
  readonly empty: boolean;
  matches(labels: Record<string, string> | undefined): boolean;
}

/** The selector that matches everything. */
export const EVERYTHING: Selector = { empty: true, matches: () => true };

function selectorOf(requirements: Requirement[]): Selector {
  if (requirements.length === 0) return EVERYTHING;
  return {
    empty: false,
    matches(labels) {
      return requirements.every((requirement) => requirementMatches(requirement, labels ?? {}));
    },
  };
}

function requirementMatches(requirement: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return has;
    case 'notExists':
      return !has;
    case 'in':
      return has && requirement.values.includes(value ?? '');
    case 'notIn':
      return !has || !requirement.values.includes(value ?? '');
    case 'gt':
      return has && Number(value) > Number(requirement.values[0]);
    case 'lt':
      return has && Number(value) < Number(requirement.values[0]);
  }
}

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

const SET_EXPRESSION = /^([A-Za-z0-9._/-]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const COMPARISON = /^([A-Za-z0-9._/-]+)\s*(==|=|!=|>|<)\s*([A-Za-z0-9._-]*)$/;
const KEY_ONLY = /^(!?)\s*([A-Za-z0-9._/-]+)$/;

function parseRequirement(text: string): Requirement {
  const set = SET_EXPRESSION.exec(text);
  if (set) {
    const values = (set[3] ?? '').split(',').map((value) => value.trim()).filter((value) => value.length > 0);
    return { key: set[1] ?? '', operator: set[2] === 'in' ? 'in' : 'notIn', values };
  }
  const comparison = COMPARISON.exec(text);
  if (comparison) {
    const key = comparison[1] ?? '';
    const value = comparison[3] ?? '';
    switch (comparison[2]) {
      case '!=':
        return { key, operator: 'notIn', values: [value] };
      case '>':
        return { key, operator: 'gt', values: [value] };
      case '<':
        return { key, operator: 'lt', values: [value] };
      default:
        return { key, operator: 'in', values: [value] };
    }
  }
  const keyOnly = KEY_ONLY.exec(text);
  if (keyOnly) return { key: keyOnly[2] ?? '', operator: keyOnly[1] ? 'notExists' : 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${text}', expected: valid label selector`);
}

/**
 * Parses a `labelSelector` query parameter.
 * @throws ApiError 400 when the selector is malformed.
 */
export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text) return EVERYTHING;
  return selectorOf(splitTopLevel(text).map(parseRequirement));
}

/** The structured selector of Deployments, ReplicaSets and Jobs (`spec.selector`). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

const EXPRESSION_OPERATORS: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notIn',
  Exists: 'exists',
  DoesNotExist: 'notExists',
};

/** Converts a structured `LabelSelector` into a {@link Selector}. An absent selector matches nothing. */
export function fromLabelSelector(selector: LabelSelector | undefined): Selector {
  if (!selector) return { empty: false, matches: () => false };
  const requirements: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: 'in',
    values: [value],
  }));
  for (const expression of selector.matchExpressions ?? []) {
    const operator = EXPRESSION_OPERATORS[expression.operator];
    if (operator) requirements.push({ key: expression.key, operator, values: expression.values ?? [] });
  }
  return selectorOf(requirements);
}

/** Formats a structured `LabelSelector` as the query string form, e.g. for `Scale.status.selector`. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector?.matchExpressions ?? []) {
    const values = (expression.values ?? []).join(',');
    if (expression.operator === 'In') parts.push(`${expression.key} in (${values})`);
    if (expression.operator === 'NotIn') parts.push(`${expression.key} notin (${values})`);
    if (expression.operator === 'Exists') parts.push(expression.key);
    if (expression.operator === 'DoesNotExist') parts.push(`!${expression.key}`);
  }
  return parts.join(',');
}

/** A parsed field selector: equality tests on dotted paths such as `metadata.name`. */
export interface FieldSelector {
  readonly empty: boolean;
  matches(object: KubeObject): boolean;
}

const NO_FIELDS: FieldSelector = { empty: true, matches: () => true };

/** Reads a dotted path (`involvedObject.kind`) from an object, as a string. */
function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null) return '';
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined || current === null ? '' : String(current);
}

/**
 * Parses a `fieldSelector` query parameter. Any dotted path is accepted (the real server
 * allows a per-type subset); kubectl describe relies on `involvedObject.*` for events.
 * @throws ApiError 400 when a term is not an equality test.
 */
export function parseFieldSelector(text: string | null | undefined): FieldSelector {
  if (!text) return NO_FIELDS;
  const terms = splitTopLevel(text).map((term) => {
    const match = /^([A-Za-z0-9._-]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    return { path: match[1] ?? '', negate: match[2] === '!=', value: match[3] ?? '' };
  });
  return {
    empty: false,
    matches(object) {
      return terms.every((term) => (fieldValue(object, term.path) === term.value) !== term.negate);
    },
  };
}
