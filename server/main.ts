/** `npm start`: Gantry on the configured database and clusters, stopping gracefully on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from './config.ts';
import { startGantry } from './app.ts';
import { createLogger } from './logger.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`gantry: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
const logger = createLogger(config.logLevel);

// Last resort, for one proven case only: postgres.js can throw from its socket callbacks while
// PostgreSQL terminates its connections, outside any query's promise. Such an error (its top
// stack frame in the driver) is logged and the process keeps serving: the driver reconnects and
// queries retry. Anything else is a bug: log it and exit as Node would.
process.on('uncaughtException', (error, origin) => {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const top = stack.split('\n').find((line) => line.trimStart().startsWith('at '));
  // A rejected query nobody awaited is our bug, not the driver's: only synchronous throws qualify.
  if (origin === 'uncaughtException' && top && /[\\/]node_modules[\\/]postgres[\\/]/.test(top)) {
    // Name, message and stack only: the error object may carry a query's parameters.
    logger.error({ origin, name: error.name, message: error.message, stack }, 'database driver error outside any query; still serving');
    return;
  }
  logger.fatal({ err: error, origin }, 'uncaught exception');
  // Also what Node prints without a handler, so a failed start is visible at any log level.
  if (!logger.isLevelEnabled('fatal')) console.error(error);
  process.exit(1);
});
const server = await startGantry(config, { logger });

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
