import pino, { type Logger } from 'pino';

/** A pino logger at `info` that keeps every line, parsed, for tests that assert on the log. */
export function capturingLogger(): { logger: Logger; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}
