import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TaskUseCases } from '@tasks/domain';
import express from 'express';
import type { Registry } from 'prom-client';
import { apiDocsRoutes } from './api-docs.js';
import { bearerAuthentication } from './authentication.js';
import { errorHandler, sendError } from './error-handler.js';
import { type HttpLogger, silentLogger } from './http-logger.js';
import { HttpMetrics } from './http-metrics.js';
import { type Health, operationalRoutes } from './operational-routes.js';
import { publicOrigin, type TrustProxy } from './public-origin.js';
import { trackRequest } from './request-context.js';
import { corsPolicy, setSecurityHeaders } from './response-headers.js';
import { taskRoutes } from './task-routes.js';
import type { TokenVerifier } from './token-verifier.js';
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
  /** Which proxies' X-Forwarded-Proto/-Host to believe, as Express's `trust proxy` reads it (none by default). */
  readonly trustProxy?: TrustProxy;
  /** When given, every `/api` request needs a bearer token this verifier accepts, for the path's user. */
  readonly tokenVerifier?: TokenVerifier;
}

/** The service's HTTP request listener: hand it to `http.createServer`. */
export type HttpApp = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Builds the HTTP application of the task API from the use cases.
 *
 * Every request gets its id, log line, metrics, security headers and CORS here, on Node's own request
 * and response. The six task routes are then answered by the adapter's own router; everything else
 * (probes, metrics, the OpenAPI document and its reference page, 404s) by an Express application.
 * ADR 0006 says why the task routes do not go through Express.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const logger = options.logger ?? silentLogger;
  const metrics = options.metricsRegistry && new HttpMetrics(options.metricsRegistry);
  const cors = corsPolicy(options.corsOrigins);
  const tasks = taskRoutes({
    useCases: options.useCases,
    bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024,
    authenticate: options.tokenVerifier && bearerAuthentication(options.tokenVerifier),
    publicOrigin: publicOrigin(options.trustProxy ?? false),
  });

  const rest = express();
  rest.disable('x-powered-by');
  rest.set('etag', false);
  rest.set('case sensitive routing', true);
  rest.set('query parser', false);
  rest.use(operationalRoutes(options.health, options.metricsRegistry));
  rest.use(apiDocsRoutes({ bearerAuth: options.tokenVerifier !== undefined }));
  rest.use(() => {
    throw new HttpError(404, 'Not Found');
  });
  rest.use(errorHandler(logger));

  return (req, res) => {
    const context = trackRequest(req, res, logger, metrics);
    setSecurityHeaders(res);
    if (cors(req, res)) return;
    const url = req.url ?? '/';
    const question = url.indexOf('?');
    const path = question === -1 ? url : url.slice(0, question);
    const dispatch = tasks(req, res, path, question === -1 ? '' : url.slice(question + 1));
    if (dispatch === undefined) {
      rest(req, res);
      return;
    }
    context.route = dispatch.pattern;
    dispatch.run().catch((error: unknown) => sendError(error, req, res, logger));
  };
}
