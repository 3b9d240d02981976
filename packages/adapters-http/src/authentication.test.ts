import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import type { Request, Response } from 'express';
import fc from 'fast-check';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatedUntilMs, bearerAuthentication } from './authentication.js';
import { createHttpApp } from './create-http-app.js';
import { JoseTokenVerifier, type JwtSettings } from './token-verifier.js';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';
const secretKey = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

function appWith(settings: JwtSettings) {
  return createHttpApp({
    useCases: taskUseCasesOn(new InMemoryTaskRepository()),
    corsOrigins: ['http://localhost:3000'],
    tokenVerifier: new JoseTokenVerifier(settings),
  });
}

const hs256 = (claims: Record<string, unknown>) => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  return (claims.exp === undefined ? jwt.setExpirationTime('5m') : jwt).sign(secretKey);
};

describe('bearer tokens with a shared secret (HS256)', () => {
  const app = appWith({ secret: SECRET, issuer: 'https://auth.example', audience: 'tasks-api' });
  const valid = (sub: string, extra: Record<string, unknown> = {}) => hs256({ sub, iss: 'https://auth.example', aud: 'tasks-api', ...extra });

  it('serves the user named by the token', async () => {
    const token = await valid('alice');
    await request(app).post('/api/alice/tasks').set('Authorization', `Bearer ${token}`).send({ title: 't' }).expect(201);
    const listed = await request(app).get('/api/alice/tasks').set('Authorization', `Bearer ${token}`).expect(200);
    expect(listed.body).toHaveLength(1);
  });

  it('guards the change feed, the live stream and the bulk actions with the same token', async () => {
    const token = await valid('alice');
    await request(app).get('/api/alice/tasks/changes').expect(401);
    await request(app)
      .get('/api/alice/tasks/changes')
      .set('Authorization', `Bearer ${await valid('bob')}`)
      .expect(403);
    await request(app).get('/api/alice/tasks/changes').set('Authorization', `Bearer ${token}`).expect(200);
    await request(app).get('/api/alice/tasks/events').expect(401);
    await request(app).patch('/api/alice/tasks').send({ completed: true }).expect(401);
    await request(app)
      .delete('/api/alice/tasks?completed=true')
      .set('Authorization', `Bearer ${await valid('bob')}`)
      .expect(403);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/alice/tasks/events`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await response.body?.cancel();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('ends a live stream when the token that opened it expires, and refuses that token afterwards', async () => {
    // No clock tolerance here, so that the token is refused as soon as its exp has passed.
    const strict = appWith({ secret: SECRET, issuer: 'https://auth.example', audience: 'tasks-api', clockToleranceSeconds: 0 });
    const exp = now() + 2;
    const expiring = await valid('alice', { exp });
    const server = createServer(strict);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/alice/tasks/events`;
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${expiring}` } });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const ended = (async () => {
        while (!(await reader.read()).done);
        return true;
      })();
      // Ends by itself once the token's exp has passed (it would otherwise run forever).
      await expect(Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve(false), 10_000))])).resolves.toBe(true);
      // Not before the token's exp: the stream is not cut while its credentials still count.
      expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
      const again = await fetch(url, { headers: { authorization: `Bearer ${expiring}` } });
      expect(again.status).toBe(401);
      await again.body?.cancel();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('accepts a token until its exp plus the tolerated clock difference, and says until when', async () => {
    const exp = now() + 60;
    const token = await valid('alice', { exp });
    const verified = await new JoseTokenVerifier({ secret: SECRET, clockToleranceSeconds: 30 }).verify(token);
    expect(verified).toEqual({ subject: 'alice', acceptedUntil: exp + 30 });
  });

  it('lets a long response (a stream) count on a token until it lapses, and on one without exp for 15 minutes', async () => {
    const verifier = new JoseTokenVerifier({ secret: SECRET, clockToleranceSeconds: 30 });
    const authenticate = bearerAuthentication(verifier);
    const until = async (token: string) => {
      const res = { locals: {} } as Response;
      await authenticate({ headers: { authorization: `Bearer ${token}` }, params: { userId: 'alice' } } as unknown as Request, res, () => {});
      return authenticatedUntilMs(res);
    };
    const exp = now() + 600;
    expect(await until(await hs256({ sub: 'alice', exp }))).toBe((exp + 30) * 1000);
    const withoutExp = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).sign(secretKey);
    const before = Date.now();
    const counted = (await until(withoutExp))!;
    expect(counted).toBeGreaterThanOrEqual(before + 15 * 60_000);
    expect(counted).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
  });

  it('answers 401 with WWW-Authenticate: Bearer when no token is sent', async () => {
    const response = await request(app).get('/api/alice/tasks');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ detail: 'Not authenticated' });
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers 401 for an Authorization header that is not a bearer token', async () => {
    const response = await request(app).get('/api/alice/tasks').set('Authorization', 'Basic YWxpY2U6cHc=');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ detail: 'Not authenticated' });
  });

  const cases: [string, () => Promise<string>][] = [
    ['an expired token', () => valid('alice', { exp: now() - 120 })],
    ['a token not yet valid', () => valid('alice', { nbf: now() + 600 })],
    ['a token from another issuer', () => hs256({ sub: 'alice', iss: 'https://evil.example', aud: 'tasks-api' })],
    ['a token for another audience', () => hs256({ sub: 'alice', iss: 'https://auth.example', aud: 'other-api' })],
    [
      'a token signed with another secret',
      () =>
        new SignJWT({ sub: 'alice', iss: 'https://auth.example', aud: 'tasks-api' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('x'.repeat(40))),
    ],
    [
      'an unsigned token (alg none)',
      async () => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'alice', iss: 'https://auth.example', aud: 'tasks-api', exp: now() + 300 })}.`;
      },
    ],
    [
      'a token whose payload was changed after signing',
      async () => {
        const [header, , signature] = (await valid('mallory')).split('.');
        const payload = Buffer.from(JSON.stringify({ sub: 'alice', iss: 'https://auth.example', aud: 'tasks-api', exp: now() + 300 })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['a token without a subject', () => hs256({ iss: 'https://auth.example', aud: 'tasks-api' })],
    ['garbage', async () => 'not.a.jwt'],
  ];
  it.each(cases)('answers 401 invalid_token for %s', async (_, mint) => {
    const response = await request(app)
      .get('/api/alice/tasks')
      .set('Authorization', `Bearer ${await mint()}`);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ detail: 'Not authenticated' });
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('tolerates a small clock skew', async () => {
    const token = await valid('alice', { exp: now() - 10 });
    await request(app).get('/api/alice/tasks').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it("answers 403 for another user's path, the same whether or not the task exists", async () => {
    const alice = await valid('alice');
    const created = await request(app).post('/api/alice/tasks').set('Authorization', `Bearer ${alice}`).send({ title: 'mine' }).expect(201);
    const bob = await valid('bob');
    const existing = await request(app).get(`/api/alice/tasks/${created.body.id}`).set('Authorization', `Bearer ${bob}`);
    const missing = await request(app).get('/api/alice/tasks/999999').set('Authorization', `Bearer ${bob}`);
    expect(existing.status).toBe(403);
    expect(existing.body).toEqual({ detail: 'Forbidden' });
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual(existing.body);
  });

  it('takes the user from another claim when configured', async () => {
    const custom = appWith({ secret: SECRET, userClaim: 'user_id' });
    const token = await hs256({ sub: 'ignored', user_id: 'carol' });
    await request(custom).get('/api/carol/tasks').set('Authorization', `Bearer ${token}`).expect(200);
    await request(custom).get('/api/ignored/tasks').set('Authorization', `Bearer ${token}`).expect(403);
  });

  it('leaves health, docs and metrics open, and declares the bearer scheme in the OpenAPI document', async () => {
    await request(app).get('/livez').expect(200);
    await request(app).get('/docs/').expect(200);
    const document = (await request(app).get('/openapi.json').expect(200)).body;
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/api/{user_id}/tasks'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/api/{user_id}/tasks'].get.responses).toHaveProperty('401');
  });

  it("never lets a token for one user read, change or list another user's tasks", async () => {
    const user = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
    await fc.assert(
      fc.asyncProperty(user, user, async (owner, other) => {
        fc.pre(owner !== other);
        const ownerToken = `Bearer ${await valid(owner)}`;
        const otherToken = `Bearer ${await valid(other)}`;
        const task = (await request(app).post(`/api/${owner}/tasks`).set('Authorization', ownerToken).send({ title: 'secret' }).expect(201)).body;
        for (const call of [
          request(app).get(`/api/${owner}/tasks`),
          request(app).get(`/api/${owner}/tasks/${task.id}`),
          request(app).put(`/api/${owner}/tasks/${task.id}`).send({ title: 'x' }),
          request(app).patch(`/api/${owner}/tasks/${task.id}/complete`),
          request(app).delete(`/api/${owner}/tasks/${task.id}`),
        ]) {
          const response = await call.set('Authorization', otherToken);
          expect(response.status).toBe(403);
          expect(JSON.stringify(response.body)).not.toContain('secret');
        }
        const own = await request(app).get(`/api/${owner}/tasks/${task.id}`).set('Authorization', ownerToken).expect(200);
        expect(own.body).toEqual(task);
      }),
      { numRuns: 25 },
    );
  });
});

describe('bearer tokens from a JWKS endpoint (RS256, EdDSA), with key rotation', () => {
  let jwks: Server;
  let keys: JWK[] = [];
  let jwksUrl: string;

  beforeAll(async () => {
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => jwks.close(resolve)));

  async function signer(alg: 'RS256' | 'EdDSA', kid: string) {
    const pair = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg };
    const sign = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg, kid }).setExpirationTime('5m').sign(pair.privateKey);
    return { jwk, sign, publicKey: pair.publicKey };
  }

  it('accepts RS256 and EdDSA tokens, and a key rotated in while the service runs', async () => {
    const rsa = await signer('RS256', 'rsa-1');
    const ed = await signer('EdDSA', 'ed-1');
    keys = [rsa.jwk, ed.jwk];
    const app = appWith({ jwksUrl, jwksCooldownMs: 0 });
    await request(app)
      .get('/api/alice/tasks')
      .set('Authorization', `Bearer ${await rsa.sign('alice')}`)
      .expect(200);
    await request(app)
      .get('/api/alice/tasks')
      .set('Authorization', `Bearer ${await ed.sign('alice')}`)
      .expect(200);

    const rotated = await signer('RS256', 'rsa-2');
    keys = [rotated.jwk, ed.jwk];
    await request(app)
      .get('/api/alice/tasks')
      .set('Authorization', `Bearer ${await rotated.sign('alice')}`)
      .expect(200);
    await request(app)
      .get('/api/bob/tasks')
      .set('Authorization', `Bearer ${await rotated.sign('alice')}`)
      .expect(403);
  });

  it('refuses an HS256 token signed with the public key (algorithm confusion)', async () => {
    const rsa = await signer('RS256', 'rsa-3');
    keys = [rsa.jwk];
    const app = appWith({ jwksUrl, jwksCooldownMs: 0 });
    const publicPem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const forged = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256', kid: 'rsa-3' }).setExpirationTime('5m').sign(publicPem);
    const response = await request(app).get('/api/alice/tasks').set('Authorization', `Bearer ${forged}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('refuses a token signed by a key the JWKS does not hold', async () => {
    keys = [(await signer('RS256', 'known')).jwk];
    const stranger = await signer('RS256', 'unknown');
    const app = appWith({ jwksUrl, jwksCooldownMs: 0 });
    await request(app)
      .get('/api/alice/tasks')
      .set('Authorization', `Bearer ${await stranger.sign('alice')}`)
      .expect(401);
  });
});
