import type { RequestHandler } from 'express';
import { RETRY_AFTER_SECONDS } from './error-handler.js';
import { rememberRoute } from './request-tracking.js';
import { sendJson } from './send-json.js';

/**
 * Answers 503 with `Retry-After` at once while `overloaded()` says the request could not be served in
 * time anyway (the database's queue is too long), instead of letting it wait and time out: clients
 * retry elsewhere or later, and the queue drains. Only what it is mounted in front of is shed.
 */
export function shedWhenOverloaded(overloaded: () => boolean): RequestHandler {
  return (req, res, next) => {
    if (!overloaded()) {
      next();
      return;
    }
    rememberRoute(req);
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    sendJson(res, 503, { detail: 'Service temporarily unavailable' });
  };
}
