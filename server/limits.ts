import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext, type ValidationRule } from 'graphql';
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
