import type { RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { HttpError } from './http-error.js';
import type { HttpLogger } from './http-logger.js';

/** A share of requests per user: how many a minute, and where they are counted. */
export interface RateLimitOptions {
  readonly perMinute: number;
  /** Where requests are counted: shared by instances (Redis), or this process's memory when absent. */
  readonly store?: Store;
}

/**
 * express-rate-limit, counting each user's requests (the `:userId` of the path) in one-minute windows:
 * past the limit, 429 with `Retry-After`; on every answer the IETF `RateLimit` and `RateLimit-Policy`
 * headers (draft 8). When the store cannot be reached the request is let through and the failure
 * logged: an outage of the counter must not become an outage of the API.
 */
export function perUserRateLimit(options: RateLimitOptions, logger: HttpLogger): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'per-user',
    keyGenerator: (req) => `user:${req.params.userId as string}`,
    ...(options.store ? { store: options.store } : {}),
    passOnStoreError: true,
    handler: (req, _res, next) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
      next(new HttpError(429, 'Too Many Requests', { 'Retry-After': String(seconds) }));
    },
    // The key is the path's user, never the client's address, so the address checks do not apply.
    validate: { ip: false, xForwardedForHeader: false, trustProxy: false, keyGeneratorIpFallback: false },
    // The store's failures go to the service's log, not to the console.
    logger: {
      error: (error, message) => logger.error({ err: error }, message ?? 'rate limit store failed'),
      warn: (error, message) => logger.error({ err: error }, message ?? 'rate limit store warning'),
    },
  });
}
