import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet, for a JSON API: nothing may be loaded, framed or run from its responses, and browsers on other
 * origins read it through CORS, so CORP does not stand in their way. Headers that only matter for HTML
 * documents or long-gone browsers are left out: every response would carry their bytes for nothing.
 * (`/docs` replaces the CSP with the one its page needs.)
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    xFrameOptions: { action: 'sameorigin' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}

/** Request headers a browser may send cross-origin, beyond the CORS-safelisted ones. */
const CORS_ALLOWED_HEADERS = ['Content-Type', 'Authorization', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'Last-Event-ID', 'X-Request-Id'];
/** Response headers a browser script may read. */
const CORS_EXPOSED_HEADERS = ['ETag', 'Link', 'Location', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-Request-Id'];

/**
 * cors, for the configured origins (`*` allows any). A request from an allowed origin gets
 * Access-Control-Allow-Origin and the exposed headers, and its `OPTIONS` is answered as a preflight
 * (204). An unknown origin gets no CORS header at all (never reflected), and its `OPTIONS` goes on to the
 * routes like any other method. Every answer varies by Origin, including those that allow nothing, so
 * shared caches keep them apart.
 */
export function corsPolicy(origins: readonly string[]): RequestHandler[] {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  const policy = cors({
    origin: (origin, allow) => allow(null, anyOrigin ? '*' : origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
  });
  return [
    (_req, res, next) => {
      res.vary('Origin');
      next();
    },
    policy,
  ];
}
