import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';
import { rememberRoute } from './request-tracking.js';

/**
 * The first handler of a route: remembers its pattern for logs and metrics, and answers a method the
 * route does not serve with 405 and `Allow` (Express on its own would answer 404). HEAD is served
 * wherever GET is, as Express does.
 */
export function allowMethods(...methods: string[]): RequestHandler {
  const allowed = new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods);
  const allow = methods.join(', ');
  return (req, _res, next) => {
    rememberRoute(req);
    if (!allowed.has(req.method)) throw new HttpError(405, 'Method Not Allowed', { Allow: allow });
    next();
  };
}
