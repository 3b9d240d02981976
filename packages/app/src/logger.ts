import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config.js';

/**
 * The service's logger: JSON lines, or readable colour when a person watches a terminal. Credentials
 * are never written (auth headers, cookies, passwords).
 */
export function createLogger(level: LogLevel, destination: NodeJS.WriteStream = process.stdout): Logger {
  const options = {
    level,
    base: { service: 'tasks' },
    redact: { paths: ['authorization', 'cookie', 'password', 'databaseUrl', '*.password', '*.databaseUrl'], censor: '[redacted]' },
  };
  if (destination.isTTY) return pino(options, pretty({ colorize: true, destination }));
  if (destination !== process.stdout) return pino(options, destination);
  // Buffered, asynchronous writes: a synchronous write per request line costs more than the request.
  // The buffer is flushed on shutdown (see main.ts) and by pino itself on process exit.
  return pino(options, pino.destination({ dest: 1, sync: false, minLength: 4096 }));
}
