import { pino, type Logger } from 'pino';
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
  return destination.isTTY ? pino(options, pretty({ colorize: true, destination })) : pino(options, destination);
}
