import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { allResolvers } from '../resolvers/index.ts';
import { requireScope, type OperationType, type Principal } from '../services/access/policy.ts';
import { registerSecretFields } from '../services/audit/secret-fields.ts';
import { badInput } from '../services/shared/errors.ts';
import type { GantryConfig } from './config.ts';
import { recordOperation, type GraphQLContext } from './context.ts';
import { withRequestId } from './errors.ts';
import { limitRules, parseOptions } from './limits.ts';
import type { Metrics } from './metrics.ts';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema');

/** The SDL files, concatenated in a stable order. */
export function loadTypeDefs(): string {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(SCHEMA_DIR, f), 'utf8'))
    .join('\n');
}

/** The executable schema: SDL from schema/, resolvers from resolvers/; arguments refuse NUL. */
export function buildSchema(): GraphQLSchema {
  const schema = enforceTokenScopes(refuseNulInArguments(makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: allResolvers() as never })));
  // The audit log redacts the fields the schema marks @secret.
  registerSecretFields(schema);
  return schema;
}

/** The input path of the first string containing U+0000 in `value`, e.g. `input.steps[0].name`. */
function pathOfNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pathOfNul(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  // Input objects: plain objects from variables, null-prototype objects from literals.
  const prototype = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const found = pathOfNul(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * PostgreSQL rejects U+0000 in text, so a NUL in any argument would surface as an internal
 * error from deep in a transaction. Every field that takes arguments checks them once, coerced
 * (literals and variables alike, over HTTP and WebSocket), before its resolver runs: BAD_USER_INPUT
 * naming the argument path. The value itself is never echoed.
 */
function refuseNulInArguments(schema: GraphQLSchema): GraphQLSchema {
  const guard = <R extends GraphQLFieldResolver<unknown, unknown>>(resolver: R): R =>
    ((source, args, context, info) => {
      for (const [name, value] of Object.entries(args as Record<string, unknown>)) {
        const path = pathOfNul(value, name);
        if (path) throw badInput(path, `${path} must not contain NUL (U+0000) characters`);
      }
      return resolver(source, args, context, info);
    }) as R;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      if (field.subscribe) field.subscribe = guard(field.subscribe);
      else field.resolve = guard(field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}

/**
 * Token scopes, enforced in one place for every transport: each root field of Query, Mutation
 * and Subscription first checks that the caller's token has the scope its operation type needs
 * (`requireScope`), so HTTP, WebSocket and any later transport share the rule and no resolver
 * repeats it. Only root fields: everything nested runs inside an operation already admitted.
 */
function enforceTokenScopes(schema: GraphQLSchema): GraphQLSchema {
  const roots: [GraphQLObjectType | null | undefined, OperationType][] = [
    [schema.getQueryType(), 'query'],
    [schema.getMutationType(), 'mutation'],
    [schema.getSubscriptionType(), 'subscription'],
  ];
  for (const [type, operation] of roots) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const guard = <R extends GraphQLFieldResolver<unknown, unknown>>(resolver: R): R =>
        ((source, args, context: { principal?: Principal | null }, info) => {
          requireScope(context.principal ?? null, operation);
          return resolver(source, args, context, info);
        }) as R;
      if (operation === 'subscription') field.subscribe = guard(field.subscribe ?? defaultFieldResolver);
      else field.resolve = guard(field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}

/** The outcome label of an operation: `ok`, or the first error's code. */
export function outcomeOf(errors: readonly GraphQLFormattedError[] | undefined): string {
  if (!errors || errors.length === 0) return 'ok';
  return String(errors[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
}

/** Counts and times every HTTP operation, records it for the request's log line, and puts the request id on its errors. */
function observabilityPlugin(metrics: Metrics): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      // Label values come from a bounded set (see OperationLabels): names are client-chosen.
      let operation = metrics.operationLabels.label(request.operationName);
      let type = 'unknown';
      return {
        async didResolveOperation({ operation: op, operationName, contextValue }) {
          // Reached only once the document validated; only authenticated callers add names.
          operation = metrics.operationLabels.label(operationName, contextValue.principal !== null);
          type = op?.operation ?? 'unknown';
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors && contextValue) {
            response.body.singleResult.errors = withRequestId(response.body.singleResult.errors, contextValue.requestId);
          }
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const outcome = outcomeOf(errors);
          const seconds = (performance.now() - started) / 1000;
          metrics.requests.inc({ operation, type, transport: 'http', outcome });
          if (type !== 'unknown') metrics.duration.observe({ operation, type, transport: 'http' }, seconds);
          if (contextValue) recordOperation(contextValue, { operation, type, outcome });
        },
      };
    },
  };
}

/** Apollo Server, configured for Gantry; started by the caller. */
export function createApollo(options: {
  schema: GraphQLSchema;
  config: GantryConfig;
  metrics: Metrics;
  logger: Logger;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}): ApolloServer<GraphQLContext> {
  const { config } = options;
  return new ApolloServer<GraphQLContext>({
    schema: options.schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: options.formatError,
    validationRules: limitRules(config.limits, { introspection: config.introspection }),
    parseOptions: parseOptions(config.limits),
    persistedQueries: false,
    allowBatchedHttpRequests: false,
    // Gantry's own SIGTERM handler drains and then stops Apollo; Apollo's would stop it at once
    // (failing in-flight requests) and re-send the signal, which main.ts took as a second one.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Gantry declares no cache hints, so Apollo's default cache-control plugin only wrapped
      // every resolver to conclude "no-store" (http.ts sends that header itself); inline tracing
      // is for federated subgraphs, which Gantry is not.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      observabilityPlugin(options.metrics),
    ],
    logger: {
      debug: (m) => options.logger.debug(m),
      info: (m) => options.logger.info(m),
      warn: (m) => options.logger.warn(m),
      error: (m) => options.logger.error(m),
    },
  });
}
