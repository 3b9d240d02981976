import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { HttpLogger } from './http-logger.js';
import type { HttpMetrics } from './http-metrics.js';

// Accepted from a caller or a proxy only when it cannot break a log line or a header.
const SANE_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id: the caller's `X-Request-Id` when sane, else generated. Echoed in the response. */
    id: string;
  }
}

/** The route pattern the request matched (`/api/:userId/tasks`), or `unmatched`: never the raw path. */
export function routePattern(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}

/**
 * Gives each request an id (echoed as `X-Request-Id`), and when its response ends writes one log line
 * (method, route pattern, status, duration, id; never the body or headers) and records its metrics.
 */
export function requestContext(logger: HttpLogger, metrics: HttpMetrics | undefined): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);

    const done = () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routePattern(req);
      // A response that never finished was cut off by the client (nginx's 499).
      const status = res.writableFinished ? res.statusCode : 499;
      metrics?.observe(req.method, route, status, seconds);
      const line = { reqId: req.id, method: req.method, route, status, durationMs: Math.round(seconds * 1e4) / 10 };
      if (status >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request completed');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
