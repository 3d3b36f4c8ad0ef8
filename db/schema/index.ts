/** Every drizzle table, in one object: drizzle-kit reads this file to generate migrations. */
export * from './identity.ts';
export * from './apps.ts';
export * from './namespaces.ts';
export * from './audit.ts';
export * from './clusters.ts';
export * from './releases.ts';
export * from './log-lines.ts';
export * from './config.ts';
export * from './logs.ts';
export * from './builds.ts';
export * from './metrics.ts';
export * from './alerts.ts';
export * from './vms.ts';
