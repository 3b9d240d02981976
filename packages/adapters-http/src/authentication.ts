import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Requires `Authorization: Bearer <token>` for the user in the path (`:userId`): 401 (RFC 6750) without a
 * valid token, 403 when the token is for another user. Nothing about the other user's tasks is looked at.
 */
export function bearerAuthentication(verifier: TokenVerifier): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) throw new HttpError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer' });
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new HttpError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer error="invalid_request"' });
    let subject: string;
    try {
      ({ subject } = await verifier.verify(token));
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      throw new HttpError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    if (subject !== req.params.userId) throw new HttpError(403, 'Forbidden');
    next();
  };
}
