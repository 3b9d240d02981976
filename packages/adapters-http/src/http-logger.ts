/** Where the HTTP adapter writes its log lines; a pino logger fits. */
export interface HttpLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** A logger that drops everything, for tests and callers without logging. */
export const silentLogger: HttpLogger = { info: () => {}, error: () => {} };
