import type { TaskUseCases } from '@tasks/domain';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { apiDocsRoutes } from './api-docs.js';
import type { ChangeStreams } from './change-streams.js';
import { contractErrorHandler, unexpectedErrorHandler } from './error-handler.js';
import { HttpError } from './http-error.js';
import { type HttpLogger, silentLogger } from './http-logger.js';
import { HttpMetrics } from './http-metrics.js';
import { type Health, operationalRoutes } from './operational-routes.js';
import type { RateLimitOptions } from './per-user-rate-limit.js';
import { requestTracking } from './request-tracking.js';
import { corsPolicy, securityHeaders } from './response-headers.js';
import { shedWhenOverloaded } from './shed-when-overloaded.js';
import { taskRouter } from './task-router.js';
import type { TokenVerifier } from './token-verifier.js';

/** Which proxies' X-Forwarded-Proto/-Host to believe: Express's `trust proxy` setting (none by default). */
export type TrustProxy = boolean | number | string;

/** The service's HTTP application: an Express application, to hand to `http.createServer`. */
export type HttpApp = Express;

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
  readonly trustProxy?: TrustProxy;
  /** When given, every `/api` request needs a bearer token this verifier accepts, for the path's user. */
  readonly tokenVerifier?: TokenVerifier;
  /** When given, each user's requests are limited to this many a minute (429 beyond). */
  readonly rateLimit?: RateLimitOptions;
  /** True while a task request could not be served in time: it then gets 503 at once (probes never do). */
  readonly overloaded?: () => boolean;
  /** The live change streams, to close them at shutdown; the task router keeps its own when absent. */
  readonly changeStreams?: ChangeStreams;
}

/**
 * The service's Express application: request ids, one log line and metrics per request, helmet's
 * security headers and CORS for every route; the task router at `/api`; the probes, metrics and API
 * docs; a JSON 404 for anything else; and the error handlers that answer in the contract's shapes.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const logger = options.logger ?? silentLogger;
  const app = express();
  app.disable('x-powered-by');
  // Task responses carry a strong ETag of the task's version; Express's weak body hash would be wasted work.
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.set('trust proxy', options.trustProxy ?? false);

  app.use(requestTracking(logger, options.metricsRegistry && new HttpMetrics(options.metricsRegistry)));
  app.use(securityHeaders());
  app.use(corsPolicy(options.corsOrigins));
  app.use(
    '/api',
    ...(options.overloaded ? [shedWhenOverloaded(options.overloaded)] : []),
    taskRouter({
      useCases: options.useCases,
      ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
      tokenVerifier: options.tokenVerifier,
      rateLimit: options.rateLimit,
      changeStreams: options.changeStreams,
      logger,
    }),
  );
  app.use(operationalRoutes(options.health, options.metricsRegistry));
  app.use(apiDocsRoutes({ bearerAuth: options.tokenVerifier !== undefined, rateLimited: options.rateLimit !== undefined }));
  app.use(() => {
    throw new HttpError(404, 'Not Found');
  });
  app.use(contractErrorHandler(logger), unexpectedErrorHandler(logger));
  return app;
}
