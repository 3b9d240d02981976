import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/** The service's structured JSON logger; passwords in URLs and auth headers are never written. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'tasks' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'databaseUrl', 'password'], censor: '[redacted]' },
  });
}
