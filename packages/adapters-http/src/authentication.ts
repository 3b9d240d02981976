import type { IncomingMessage } from 'node:http';
import { HttpError } from './validation-error.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** Checks that a request may act for the user in its path; rejects with the HttpError to answer when not. */
export type Authenticator = (req: IncomingMessage, userId: string) => Promise<void>;

/**
 * Requires `Authorization: Bearer <token>` for the user in the path: 401 (RFC 6750) without a valid
 * token, 403 when the token is for another user. Nothing about the other user's tasks is looked at.
 */
export function bearerAuthentication(verifier: TokenVerifier): Authenticator {
  return async (req, userId) => {
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
    if (subject !== userId) throw new HttpError(403, 'Forbidden');
  };
}
