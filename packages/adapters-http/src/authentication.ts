import type { RequestHandler, Response } from 'express';
import { HttpError } from './http-error.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Requires `Authorization: Bearer <token>` for the user in the path (`:userId`): 401 (RFC 6750) without a
 * valid token, 403 when the token is for another user. Nothing about the other user's tasks is looked at.
 */
export function bearerAuthentication(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) throw new HttpError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer' });
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new HttpError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer error="invalid_request"' });
    let subject: string;
    let acceptedUntil: number | undefined;
    try {
      ({ subject, acceptedUntil } = await verifier.verify(token));
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      throw new HttpError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    if (subject !== req.params.userId) throw new HttpError(403, 'Forbidden');
    res.locals[AUTHENTICATED_UNTIL_MS] = acceptedUntil === undefined ? Date.now() + WITHOUT_EXPIRY_MS : acceptedUntil * 1000;
    next();
  };
}

const AUTHENTICATED_UNTIL_MS = 'authenticatedUntilMs';
/**
 * How long the check of a token without `exp` counts for a response that outlives its request: after
 * that the client comes back, and the token is checked again (a key removed since is then refused).
 */
const WITHOUT_EXPIRY_MS = 15 * 60_000;

/**
 * Until when (ms since the epoch) the bearer token that let this request in counts: when it stops being
 * accepted, or 15 minutes for a token without `exp`. Undefined when no token was checked (AUTH_MODE=none).
 * A response that outlives its request, such as a live stream, ends then.
 */
export function authenticatedUntilMs(res: Response): number | undefined {
  const value: unknown = res.locals[AUTHENTICATED_UNTIL_MS];
  return typeof value === 'number' ? value : undefined;
}
