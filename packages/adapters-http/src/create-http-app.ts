import type { TaskUseCases } from '@tasks/domain';
import cors from 'cors';
import express, { type Express } from 'express';
import { type ErrorLogger, errorHandler } from './error-handler.js';
import { taskRoutes } from './task-routes.js';
import { HttpError } from './validation-error.js';

/** What the HTTP adapter needs; it never opens a database itself. */
export interface HttpAppOptions {
  readonly useCases: TaskUseCases;
  /** Browser origins allowed to call the API; `*` allows any. */
  readonly corsOrigins: readonly string[];
  /** Largest accepted request body; larger ones get 413. */
  readonly bodyLimitBytes?: number;
  readonly logger?: ErrorLogger;
}

/** Request headers a browser may send cross-origin, beyond the CORS-safelisted ones. */
const CORS_ALLOWED_HEADERS = ['Content-Type', 'Authorization', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'];
/** Response headers a browser script may read. */
const CORS_EXPOSED_HEADERS = ['ETag', 'Link', 'Location', 'Retry-After', 'X-Request-Id'];

const silentLogger: ErrorLogger = { error: () => {}, warn: () => {} };

function corsOriginCheck(origins: readonly string[]): cors.CorsOptions['origin'] {
  if (origins.includes('*')) return '*';
  const allowed = new Set(origins);
  // An unknown origin gets no Access-Control-Allow-Origin at all: never reflected.
  return (origin, callback) => callback(null, origin !== undefined && allowed.has(origin));
}

/** Builds the Express application of the task API from the use cases. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Conditional requests are the API's own business; Express's weak ETags would be wrong for it.
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.set('query parser', 'simple');

  app.use(
    cors({
      origin: corsOriginCheck(options.corsOrigins),
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    }),
  );
  app.use(taskRoutes(options.useCases, options.bodyLimitBytes ?? 64 * 1024));
  app.use(() => {
    throw new HttpError(404, 'Not Found');
  });
  app.use(errorHandler(options.logger ?? silentLogger));
  return app;
}
