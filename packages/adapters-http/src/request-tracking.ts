import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { HttpLogger } from './http-logger.js';
import type { HttpMetrics } from './http-metrics.js';

// Accepted from a caller or a proxy only when it cannot break a log line or a header.
const SANE_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

const ROUTE = Symbol('route');
type WithRoute = IncomingMessage & { [ROUTE]?: string };

/** Records the route pattern a request matched (`/api/:userId/tasks`), as logs and metrics name it. */
export function rememberRoute(req: Request): void {
  (req as WithRoute)[ROUTE] = `${req.baseUrl}${typeof req.route?.path === 'string' ? req.route.path : ''}`;
}

/** The route pattern of a request, or `unmatched`: never the raw path, which would carry user ids. */
export function routePattern(req: IncomingMessage): string {
  const remembered = (req as WithRoute)[ROUTE];
  if (remembered !== undefined) return remembered;
  const express = req as Partial<Request>;
  return typeof express.route?.path === 'string' ? `${express.baseUrl ?? ''}${express.route.path}` : 'unmatched';
}

/**
 * Gives every request its id (the caller's `X-Request-Id` when sane, else a new one, echoed in the
 * response), and when its response ends writes one log line (method, route pattern, status, duration, id;
 * never the body or headers) and records its metrics.
 */
export function requestTracking(logger: HttpLogger, metrics: HttpMetrics | undefined): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    const done = () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routePattern(req);
      // A response that never finished was cut off by the client (nginx's 499).
      const status = res.writableFinished ? res.statusCode : 499;
      metrics?.observe(req.method, route, status, seconds);
      const line = { reqId: id, method: req.method, route, status, durationMs: Math.round(seconds * 1e4) / 10 };
      if (status >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request completed');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
