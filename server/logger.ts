import { pino, type Logger } from 'pino';

/** JSON lines on stdout; one field set per line so log stores can index them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'gantry' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.token'], censor: '[REDACTED]' },
  });
}
