import type { TokenVerifier, VerifiedToken } from './token-verifier.js';

/**
 * Remembers tokens another verifier accepted, so a client sending the same token with every request
 * pays for one signature check, not one per request. An entry lives while the inner verifier would
 * accept the token (until its `exp` plus the clock tolerance), and never longer than `maxAgeMs`, so a key removed from a JWKS stops being honoured within that time. Rejections
 * are not cached.
 */
export class CachedTokenVerifier implements TokenVerifier {
  private readonly accepted = new Map<string, { token: VerifiedToken; until: number }>();

  constructor(
    private readonly inner: TokenVerifier,
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<VerifiedToken> {
    const cached = this.accepted.get(token);
    if (cached && cached.until > this.now()) return cached.token;
    if (cached) this.accepted.delete(token);
    const verified = await this.inner.verify(token);
    const until = Math.min(this.now() + this.maxAgeMs, (verified.acceptedUntil ?? Number.POSITIVE_INFINITY) * 1000);
    if (until > this.now()) {
      // Map keeps insertion order: the first key is the oldest entry.
      if (this.accepted.size >= this.maxEntries) this.accepted.delete(this.accepted.keys().next().value!);
      this.accepted.set(token, { token: verified, until });
    }
    return verified;
  }
}
