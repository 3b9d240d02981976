import { taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { checkedAgainstOpenApi } from '../../../test/openapi-conformance.js';
import { createHttpApp } from './create-http-app.js';
import { buildOpenApiDocument } from './openapi-document.js';

const appLimitedTo = (perMinute: number) =>
  createHttpApp({ useCases: taskUseCasesOn(new InMemoryTaskRepository()), corsOrigins: ['http://localhost:3000'], rateLimit: { perMinute } });

describe('RATE_LIMIT_PER_MINUTE: a fair share per user', () => {
  it("answers 429 with Retry-After past a user's share, and leaves other users alone", async () => {
    const checked = checkedAgainstOpenApi(buildOpenApiDocument({ rateLimited: true }));
    const app = appLimitedTo(3);
    for (let i = 0; i < 3; i++) await checked.request(app).get('/api/alice/tasks').expect(200);
    const refused = await checked.request(app).post('/api/alice/tasks').send({ title: 'one too many' });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ detail: 'Too Many Requests' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await checked.request(app).get('/api/bob/tasks').expect(200);
    // The refused create did nothing.
    expect((await request(appLimitedTo(10)).get('/api/alice/tasks')).body).toEqual([]);
    expect(checked.violations).toEqual([]);
  });

  it('sends the IETF RateLimit and RateLimit-Policy headers with every task answer, and lets a browser read them', async () => {
    const app = appLimitedTo(5);
    const first = await request(app).get('/api/carol/tasks').set('Origin', 'http://localhost:3000').expect(200);
    expect(first.headers['ratelimit-policy']).toMatch(/^"per-user"; q=5; w=60/);
    expect(first.headers.ratelimit).toMatch(/^"per-user"; r=4; t=\d+/);
    expect(first.headers['access-control-expose-headers']).toMatch(/RateLimit/);
    const second = await request(app).get('/api/carol/tasks').expect(200);
    expect(second.headers.ratelimit).toMatch(/r=3/);
  });

  it('lets requests through, and logs it, while the shared count cannot be reached', async () => {
    const errors: string[] = [];
    const unreachable = {
      increment: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
      decrement: async () => {},
      resetKey: async () => {},
    };
    const app = createHttpApp({
      useCases: taskUseCasesOn(new InMemoryTaskRepository()),
      corsOrigins: [],
      rateLimit: { perMinute: 1, store: unreachable },
      logger: { info: () => {}, error: (_details, message) => void errors.push(message) },
    });
    for (let i = 0; i < 3; i++) await request(app).get('/api/erin/tasks').expect(200);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('does not count the probes, metrics or docs', async () => {
    const app = appLimitedTo(1);
    for (let i = 0; i < 3; i++) await request(app).get('/livez').expect(200);
    await request(app).get('/api/dave/tasks').expect(200);
  });

  it('declares 429 and its headers on every task operation of the OpenAPI document when on', () => {
    const document = buildOpenApiDocument({ rateLimited: true }) as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    };
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations))
        expect(Object.keys(operation.responses['429']?.headers ?? {})).toEqual(['Retry-After', 'RateLimit', 'RateLimit-Policy']);
    }
    // Without a rate limit only the live stream answers 429: for too many streams open.
    const plain = buildOpenApiDocument() as unknown as typeof document;
    const with429 = Object.values(plain.paths).flatMap((operations) =>
      Object.values(operations as Record<string, { operationId: string; responses: Record<string, unknown> }>)
        .filter((operation) => '429' in operation.responses)
        .map((operation) => operation.operationId),
    );
    expect(with429).toEqual(['streamTaskChanges']);
  });
});
