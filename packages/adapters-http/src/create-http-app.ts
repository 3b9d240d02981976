import type { TaskUseCases } from '@tasks/domain';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import { apiDocsRoutes } from './api-docs.js';
import { authentication } from './authentication.js';
import type { TokenVerifier } from './token-verifier.js';
import { errorHandler } from './error-handler.js';
import { type HttpLogger, silentLogger } from './http-logger.js';
import { HttpMetrics } from './http-metrics.js';
import { type Health, operationalRoutes } from './operational-routes.js';
import { requestContext } from './request-context.js';
import { taskRoutes } from './task-routes.js';
import { HttpError } from './validation-error.js';

/** What the HTTP adapter needs; it never opens a database itself. */
export interface HttpAppOptions {
  readonly useCases: TaskUseCases;
  /** Browser origins allowed to call the API; `*` allows any. */
  readonly corsOrigins: readonly string[];
  /** Largest accepted request body; larger ones get 413. */
  readonly bodyLimitBytes?: number;
  readonly logger?: HttpLogger;
  /** Serves `/readyz` when given. */
  readonly health?: Health;
  /** Serves `/metrics` from this registry, and records request metrics in it, when given. */
  readonly metricsRegistry?: Registry;
  /** Express's `trust proxy`: which proxies' X-Forwarded-Proto/-Host to believe (none by default). */
  readonly trustProxy?: boolean | number | string;
  /** When given, every `/api` request needs a bearer token this verifier accepts, for the path's user. */
  readonly tokenVerifier?: TokenVerifier;
}

/** Request headers a browser may send cross-origin, beyond the CORS-safelisted ones. */
const CORS_ALLOWED_HEADERS = ['Content-Type', 'Authorization', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'];
/** Response headers a browser script may read. */
const CORS_EXPOSED_HEADERS = ['ETag', 'Link', 'Location', 'Retry-After', 'X-Request-Id'];

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
  app.set('trust proxy', options.trustProxy ?? false);
  // No endpoint reads the query string yet; parsing it on every request would be wasted work.
  app.set('query parser', false);

  const logger = options.logger ?? silentLogger;
  app.use(requestContext(logger, options.metricsRegistry && new HttpMetrics(options.metricsRegistry)));
  app.use(
    helmet({
      // A JSON API serves no documents: nothing may be loaded, framed or run from its responses.
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      // Browsers on other origins read the API through CORS; CORP must not stand in their way.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      // Headers that only matter for HTML documents or for long-gone browsers and plug-ins: every
      // response would carry their bytes for nothing.
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
    }),
  );
  // Every answer depends on Origin, including the ones that allow nothing: shared caches must know.
  app.use((_req, res, next) => {
    res.vary('Origin');
    next();
  });
  app.use(
    cors({
      origin: corsOriginCheck(options.corsOrigins),
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    }),
  );
  const guards = options.tokenVerifier ? [authentication(options.tokenVerifier)] : [];
  app.use(taskRoutes(options.useCases, options.bodyLimitBytes ?? 64 * 1024, guards));
  app.use(operationalRoutes(options.health, options.metricsRegistry));
  app.use(apiDocsRoutes({ bearerAuth: options.tokenVerifier !== undefined }));
  app.use(() => {
    throw new HttpError(404, 'Not Found');
  });
  app.use(errorHandler(logger));
  return app;
}
