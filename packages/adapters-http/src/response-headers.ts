import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Security headers of every response. A JSON API serves no documents: nothing may be loaded, framed or
 * run from its responses. Browsers on other origins read it through CORS, so CORP does not stand in
 * their way. Headers that only matter for HTML documents or long-gone browsers are left out: every
 * response would carry their bytes for nothing. (`/docs` replaces the CSP with the one its page needs.)
 */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none';frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  // Every answer depends on Origin, including the ones that allow nothing: shared caches must know.
  ['Vary', 'Origin'],
];

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
}

/** Request headers a browser may send cross-origin, beyond the CORS-safelisted ones. */
const CORS_ALLOWED_HEADERS = 'Content-Type,Authorization,If-Match,If-None-Match,Idempotency-Key,X-Request-Id';
/** Response headers a browser script may read. */
const CORS_EXPOSED_HEADERS = 'ETag,Link,Location,Retry-After,X-Request-Id';
const CORS_ALLOWED_METHODS = 'GET,POST,PUT,PATCH,DELETE';
/** Seconds a browser may cache a preflight answer. */
const CORS_MAX_AGE = '600';

/**
 * CORS for the configured origins (`*` allows any). A request from an allowed origin gets
 * Access-Control-Allow-Origin and the exposed headers; an `OPTIONS` request from one is a preflight,
 * answered here with 204. An unknown origin gets no CORS header at all (never reflected), and its
 * `OPTIONS` goes on to the routes like any other method. Returns true when the request was answered.
 */
export function corsPolicy(origins: readonly string[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    let allowOrigin: string;
    if (anyOrigin) allowOrigin = '*';
    else if (origin !== undefined && allowed.has(origin)) allowOrigin = origin;
    else return false;
    res.setHeader('Access-Control-Allow-Origin', allowOrigin);
    res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
    if (req.method !== 'OPTIONS') return false;
    res.setHeader('Access-Control-Allow-Methods', CORS_ALLOWED_METHODS);
    res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', CORS_MAX_AGE);
    res.statusCode = 204;
    res.setHeader('Content-Length', '0');
    res.end();
    return true;
  };
}
