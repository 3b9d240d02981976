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
    redact: { paths: ['authorization', 'cookie', 'password', 'databaseUrl', 'redisUrl', '*.password', '*.databaseUrl', '*.redisUrl'], censor: '[redacted]' },
  };
  if (destination.isTTY) return pino(options, pretty({ colorize: true, destination }));
  if (destination !== process.stdout) return pino(options, destination);
  // Asynchronous writes, never held back: a line is written as soon as the previous write is done, so
  // under load the lines of many requests share one write, and when idle each is written at once (a
  // start-up line within milliseconds; a crash or kill loses only a write in flight). Pino flushes
  // what is left synchronously when the process exits.
  return pino(options, pino.destination({ dest: 1, sync: false, minLength: 0 }));
}
