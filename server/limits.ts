import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { RequestLimits } from './config.ts';

/**
 * Validation rules applied to every operation, over HTTP and WebSocket alike: one list, so the
 * two transports cannot drift apart. graphql-armor supplies the depth, alias, cost and
 * directive checks; the token limit is a parse option (see {@link parseOptions}).
 */
export function limitRules(limits: RequestLimits, options: { introspection: boolean }): ValidationRule[] {
  const rules: ValidationRule[] = [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, exposeLimits: true }) as unknown as ValidationRule,
    maxAliasesRule({ n: limits.maxAliases, exposeLimits: true }) as unknown as ValidationRule,
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, exposeLimits: true }) as unknown as ValidationRule,
    maxDirectivesRule({ n: limits.maxDirectives, exposeLimits: true }) as unknown as ValidationRule,
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
