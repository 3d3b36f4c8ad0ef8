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
