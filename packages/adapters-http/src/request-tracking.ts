import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpLogger } from './http-logger.js';
import type { HttpMetrics } from './http-metrics.js';

// Accepted from a caller or a proxy only when it cannot break a log line or a header.
const SANE_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** What the adapter knows of a request in flight, for its log line, its metrics and its errors. */
export interface RequestContext {
  /** The caller's `X-Request-Id` when sane, else generated. Echoed in the response. */
  readonly id: string;
  /** The route pattern the request matched (`/api/:userId/tasks`), once it is known: never the raw path. */
  route: string | undefined;
}

const CONTEXT = Symbol('requestContext');
type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

/** The context `trackRequest` gave this request, if any. */
export function contextOf(req: IncomingMessage): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}

/** The route pattern of a request: set by the task router, or the one Express matched, or `unmatched`. */
export function routePattern(req: IncomingMessage): string {
  const known = contextOf(req)?.route;
  if (known !== undefined) return known;
  const express = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  const path = express.route?.path;
  return typeof path === 'string' ? `${express.baseUrl ?? ''}${path}` : 'unmatched';
}

/**
 * Gives a request its id (echoed as `X-Request-Id`), and when its response ends writes one log line
 * (method, route pattern, status, duration, id; never the body or headers) and records its metrics.
 */
export function trackRequest(req: IncomingMessage, res: ServerResponse, logger: HttpLogger, metrics: HttpMetrics | undefined): RequestContext {
  const started = process.hrtime.bigint();
  const incoming = req.headers['x-request-id'];
  const context: RequestContext = {
    id: typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID(),
    route: undefined,
  };
  (req as WithContext)[CONTEXT] = context;
  res.setHeader('X-Request-Id', context.id);

  const done = () => {
    res.removeListener('finish', done);
    res.removeListener('close', done);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = routePattern(req);
    // A response that never finished was cut off by the client (nginx's 499).
    const status = res.writableFinished ? res.statusCode : 499;
    metrics?.observe(req.method ?? 'GET', route, status, seconds);
    const line = { reqId: context.id, method: req.method, route, status, durationMs: Math.round(seconds * 1e4) / 10 };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request completed');
  };
  res.once('finish', done);
  res.once('close', done);
  return context;
}
