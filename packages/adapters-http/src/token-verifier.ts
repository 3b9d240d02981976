import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** Who a valid bearer token speaks for. */
export interface VerifiedToken {
  readonly subject: string;
  /**
   * When this verifier stops accepting the token, in seconds since the epoch: its `exp` plus the clock
   * difference tolerated. Absent for a token without `exp`.
   */
  readonly acceptedUntil?: number;
}

/** Checks a bearer token; the small port between the HTTP adapter and a token library. */
export interface TokenVerifier {
  /** Resolves with the token's subject, or throws `InvalidTokenError`. */
  verify(token: string): Promise<VerifiedToken>;
}

/** The token is malformed, badly signed, expired, not yet valid, or for another issuer or audience. */
export class InvalidTokenError extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'InvalidTokenError';
  }
}

/** Where keys come from, and what else a token must say. */
export type JwtSettings = ({ readonly secret: string; readonly jwksUrl?: undefined } | { readonly jwksUrl: string; readonly secret?: undefined }) & {
  readonly issuer?: string;
  readonly audience?: string;
  /** The claim that holds the user id (`sub` by default). */
  readonly userClaim?: string;
  /** Seconds of clock difference tolerated for exp and nbf. */
  readonly clockToleranceSeconds?: number;
  /** Least time between two JWKS fetches triggered by unknown key ids (default 30 s). */
  readonly jwksCooldownMs?: number;
};

// The accepted algorithms are fixed by the key source, never read from the token: a shared secret
// accepts HS256 only, a JWKS only asymmetric ones, so no token can pick "none" or sign with a public key.
const SECRET_ALGORITHMS = ['HS256'];
const JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** Verifies JWTs with jose against a shared secret (HS256) or a JWKS endpoint (RS256, ES256, EdDSA). */
export class JoseTokenVerifier implements TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly clockToleranceSeconds: number;

  constructor(private readonly settings: JwtSettings) {
    this.clockToleranceSeconds = settings.clockToleranceSeconds ?? 30;
    if (settings.secret !== undefined) {
      this.key = new TextEncoder().encode(settings.secret);
      this.algorithms = SECRET_ALGORITHMS;
    } else {
      // Keys are cached; an unknown kid (a rotation) triggers a refetch, at most once per cooldown.
      this.key = createRemoteJWKSet(new URL(settings.jwksUrl), {
        cooldownDuration: settings.jwksCooldownMs ?? 30_000,
        cacheMaxAge: 600_000,
        timeoutDuration: 5_000,
      });
      this.algorithms = JWKS_ALGORITHMS;
    }
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        clockTolerance: this.clockToleranceSeconds,
        ...(this.settings.issuer ? { issuer: this.settings.issuer } : {}),
        ...(this.settings.audience ? { audience: this.settings.audience } : {}),
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) throw new InvalidTokenError(error.message, { cause: error });
      throw error;
    }
    const subject = payload[this.settings.userClaim ?? 'sub'];
    if (typeof subject !== 'string' || subject === '') throw new InvalidTokenError('the token names no user');
    return { subject, ...(typeof payload.exp === 'number' ? { acceptedUntil: payload.exp + this.clockToleranceSeconds } : {}) };
  }
}
