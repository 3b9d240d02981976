import { describe, expect, it } from 'vitest';
import { CachedTokenVerifier } from './cached-token-verifier.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

function counting(acceptedUntil?: number): TokenVerifier & { calls: number } {
  const verifier = {
    calls: 0,
    async verify(token: string) {
      verifier.calls++;
      if (token === 'bad') throw new InvalidTokenError('bad');
      return { subject: `user-of-${token}`, ...(acceptedUntil ? { acceptedUntil } : {}) };
    },
  };
  return verifier;
}

describe('CachedTokenVerifier', () => {
  it('checks a token once and then answers from memory', async () => {
    const inner = counting();
    const cached = new CachedTokenVerifier(inner);
    expect(await cached.verify('t1')).toEqual({ subject: 'user-of-t1' });
    expect(await cached.verify('t1')).toEqual({ subject: 'user-of-t1' });
    expect(inner.calls).toBe(1);
  });

  it('never caches a rejection', async () => {
    const inner = counting();
    const cached = new CachedTokenVerifier(inner);
    await expect(cached.verify('bad')).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(cached.verify('bad')).rejects.toBeInstanceOf(InvalidTokenError);
    expect(inner.calls).toBe(2);
  });

  it('checks again once the token has expired, or the entry is older than its maximum age', async () => {
    let now = 1_000_000;
    const expiring = counting(1_000 + 10); // exp 10 s after "now"
    const byExpiry = new CachedTokenVerifier(expiring, 10, 60_000, () => now);
    await byExpiry.verify('t');
    now += 11_000;
    await byExpiry.verify('t');
    expect(expiring.calls).toBe(2);

    const lasting = counting();
    const byAge = new CachedTokenVerifier(lasting, 10, 60_000, () => now);
    await byAge.verify('t');
    now += 61_000;
    await byAge.verify('t');
    expect(lasting.calls).toBe(2);
  });

  it('keeps at most the configured number of entries, dropping the oldest', async () => {
    const inner = counting();
    const cached = new CachedTokenVerifier(inner, 2);
    await cached.verify('a');
    await cached.verify('b');
    await cached.verify('c');
    await cached.verify('a');
    expect(inner.calls).toBe(4);
    await cached.verify('c');
    expect(inner.calls).toBe(4);
  });
});
