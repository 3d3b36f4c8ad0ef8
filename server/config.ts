import { join, resolve } from 'node:path';

/** Everything Gantry reads from its environment, parsed and checked once at start-up. */
export interface GantryConfig {
  port: number;
  host: string;
  production: boolean;
  introspection: boolean;
  logLevel: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** PGlite's directory (`memory://` for tests that need no persistence). */
  pgliteDir: string;
  adminToken: string | undefined;
  limits: RequestLimits;
  shutdownTimeoutMs: number;
}

/** Limits enforced identically on HTTP and WebSocket operations. */
export interface RequestLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  maxDirectives: number;
  /** Size of the GraphQL document text, in bytes. */
  maxDocumentBytes: number;
  /** Size of an HTTP body or WebSocket message, in bytes (document plus variables). */
  maxBodyBytes: number;
}

/** Thrown for a malformed setting; the message names the variable. */
export class ConfigError extends Error {}

/**
 * Reads the configuration. Unknown values are rejected with a message naming the variable,
 * so a typo fails the start instead of silently using a default.
 */
export function loadConfig(env: NodeJS.ProcessEnv): GantryConfig {
  const dataDir = resolve(env.GANTRY_DATA_DIR || '.gantry');
  const production = env.NODE_ENV === 'production';
  return {
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    production,
    introspection: production ? env.GANTRY_INTROSPECTION === '1' : env.GANTRY_INTROSPECTION !== '0',
    logLevel: env.GANTRY_LOG_LEVEL || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    pgliteDir: env.GANTRY_PGLITE_DIR || join(dataDir, 'pgdata'),
    adminToken: env.GANTRY_ADMIN_TOKEN || undefined,
    limits: {
      maxDepth: int(env, 'GANTRY_MAX_DEPTH', 12, 1, 1000),
      maxAliases: int(env, 'GANTRY_MAX_ALIASES', 30, 0, 10000),
      maxCost: int(env, 'GANTRY_MAX_COST', 1_000_000, 1, 1_000_000_000),
      maxTokens: int(env, 'GANTRY_MAX_TOKENS', 5000, 10, 1_000_000),
      maxDirectives: int(env, 'GANTRY_MAX_DIRECTIVES', 50, 0, 10000),
      maxDocumentBytes: int(env, 'GANTRY_MAX_DOCUMENT_BYTES', 64 * 1024, 64, 16 * 1024 * 1024),
      maxBodyBytes: int(env, 'GANTRY_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    },
    shutdownTimeoutMs: int(env, 'GANTRY_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
