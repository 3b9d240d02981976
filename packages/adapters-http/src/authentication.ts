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
    if (acceptedUntil !== undefined) res.locals[TOKEN_EXPIRES_AT_MS] = acceptedUntil * 1000;
    next();
  };
}

const TOKEN_EXPIRES_AT_MS = 'tokenExpiresAtMs';

/**
 * When the bearer token that let this request in stops being accepted (ms since the epoch), or undefined
 * (no token checked, or one without `exp`): a response that outlives the request, such as a live stream,
 * ends then.
 */
export function tokenExpiresAtMs(res: Response): number | undefined {
  const value: unknown = res.locals[TOKEN_EXPIRES_AT_MS];
  return typeof value === 'number' ? value : undefined;
}
