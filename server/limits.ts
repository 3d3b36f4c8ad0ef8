import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  parse,
  type DocumentNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { RequestLimits } from './config.ts';

/**
 * graphql-armor throws its rejection by default, which Apollo turns into a 500; report it as
 * an ordinary validation error instead (mapped to BAD_USER_INPUT like any other).
 */
const REPORT = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'BAD_USER_INPUT' } })),
  ],
};

/**
 * Validation rules applied to every operation, over HTTP and WebSocket alike: one list, so the
 * two transports cannot drift apart. graphql-armor supplies the depth, alias, cost and
 * directive checks; the token limit is a parse option (see {@link parseOptions}).
 */
export function limitRules(limits: RequestLimits, options: { introspection: boolean }): ValidationRule[] {
  const rules: ValidationRule[] = [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...REPORT }) as unknown as ValidationRule,
    maxAliasesRule({ n: limits.maxAliases, ...REPORT }) as unknown as ValidationRule,
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, ...REPORT }) as unknown as ValidationRule,
    maxDirectivesRule({ n: limits.maxDirectives, ...REPORT }) as unknown as ValidationRule,
  ];
  if (!options.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** graphql-js parse options: the token limit stops huge documents before they are parsed. */
export function parseOptions(limits: RequestLimits) {
  return { maxTokens: limits.maxTokens };
}

/** A message when the document text is over the size limit, else null. */
export function documentTooLarge(query: unknown, limits: RequestLimits): string | null {
  if (typeof query !== 'string') return null;
  const bytes = Buffer.byteLength(query, 'utf8');
  return bytes > limits.maxDocumentBytes
    ? `The GraphQL document is ${bytes} bytes; the limit is ${limits.maxDocumentBytes} (GANTRY_MAX_DOCUMENT_BYTES)`
    : null;
}

/** Most lexical tokens in a document sent without credentials; a full introspection query has under 200. */
export const ANONYMOUS_MAX_TOKENS = 500;

const INTROSPECTION_ROOT_FIELDS = new Set(['__schema', '__type', '__typename']);

/** What a request without credentials asked for, decided without validating it. */
export interface AnonymousOperation {
  /** True only for pure introspection (`__schema`, `__type`, `__typename` at the root). */
  allowed: boolean;
  /** The selected operation's name and type, for metrics (null/unknown when it does not parse). */
  name: string | null;
  type: string;
}

/**
 * Without credentials only introspection is answered; everything else is UNAUTHENTICATED. That
 * is decided here from a parse capped at {@link ANONYMOUS_MAX_TOKENS} and a look at the root
 * selections, before validation, which is what costs: graphql-js' overlapping-fields rule is
 * quadratic, and a 20 KB document of 600 fields took 100–300 ms to validate. Fragments at the
 * root are refused rather than followed.
 */
export function anonymousOperation(query: unknown, operationName: unknown): AnonymousOperation {
  if (typeof query !== 'string') return { allowed: false, name: null, type: 'unknown' };
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: ANONYMOUS_MAX_TOKENS, noLocation: true });
  } catch {
    return { allowed: false, name: null, type: 'unknown' };
  }
  const operation = getOperationAST(document, typeof operationName === 'string' ? operationName : undefined);
  if (!operation) return { allowed: false, name: null, type: 'unknown' };
  const allowed = operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && INTROSPECTION_ROOT_FIELDS.has(selection.name.value),
  );
  return { allowed, name: operation.name?.value ?? null, type: operation.operation };
}
