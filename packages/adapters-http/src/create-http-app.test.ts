import { type TaskRepository, taskUseCasesOn } from '@tasks/domain';
import { failingTaskRepository, InMemoryTaskRepository } from '@tasks/domain/testing';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeHttpContract } from '../../../test/describe-http-contract.js';
import { createHttpApp } from './create-http-app.js';
import type { HttpLogger } from './http-logger.js';

describeHttpContract('createHttpApp', {
  app: (useCases, options) => createHttpApp({ useCases, corsOrigins: ['http://localhost:3000'], ...options }),
  base: '/api',
  ownBodyParser: true,
});

const appOn = (repository: TaskRepository = new InMemoryTaskRepository(), logger?: HttpLogger) =>
  createHttpApp({ useCases: taskUseCasesOn(repository), corsOrigins: ['http://localhost:3000'], ...(logger ? { logger } : {}) });

let app: ReturnType<typeof appOn>;
beforeEach(() => {
  app = appOn();
});

describe('routing outside the task routes', () => {
  it('answers 404 Not Found for an unknown route', async () => {
    await request(app).get('/nope').expect(404, { detail: 'Not Found' });
    await request(app).get('/api/alice').expect(404, { detail: 'Not Found' });
    await request(app).get('/API/alice/tasks').expect(404, { detail: 'Not Found' });
  });

  it('takes one trailing slash as the same route, and nothing more', async () => {
    await request(app).get('/api/alice/tasks//').expect(404, { detail: 'Not Found' });
    await request(app).get('/api//tasks').expect(404, { detail: 'Not Found' });
    await request(app).get('/api/alice/tasks/1/Complete').expect(404, { detail: 'Not Found' });
  });

  it.each([
    ['post', '/livez', 'GET'],
    ['delete', '/openapi.json', 'GET'],
    ['put', '/docs/', 'GET'],
  ] as const)('answers 405 for %s %s with the allowed methods, as on the task routes', async (method, path, allow) => {
    const response = await request(app)[method](path);
    expect(response.status).toBe(405);
    expect(response.body).toEqual({ detail: 'Method Not Allowed' });
    expect(response.headers.allow).toBe(allow);
  });

  it('never says it runs on Express, on the task routes or anywhere else', async () => {
    for (const path of ['/api/alice/tasks', '/livez', '/openapi.json', '/nope']) {
      const response = await request(app).get(path);
      expect(response.headers['x-powered-by'], path).toBeUndefined();
    }
  });
});

describe('CORS', () => {
  it('allows the configured origin', async () => {
    const response = await request(app).get('/api/alice/tasks').set('Origin', 'http://localhost:3000');
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(response.headers['access-control-expose-headers']).toMatch(/ETag/);
    expect(response.headers.vary).toMatch(/Origin/);
  });

  it('never reflects an unknown origin, and still tells caches the answer depends on Origin', async () => {
    const response = await request(app).get('/api/alice/tasks').set('Origin', 'https://evil.example');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers.vary).toMatch(/Origin/);
  });

  it('answers a preflight for a JSON PUT from the configured origin', async () => {
    const response = await request(app)
      .options('/api/alice/tasks/1')
      .set('Origin', 'http://localhost:3000')
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'content-type,authorization');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(response.headers['access-control-allow-methods']).toMatch(/PUT/);
    expect(response.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
    expect(response.headers['access-control-allow-headers']).toMatch(/Authorization/i);
    expect(response.headers['access-control-max-age']).toBe('600');
  });

  it('sends an OPTIONS from an unknown origin on to the routes, which allow no such method', async () => {
    const response = await request(app).options('/api/alice/tasks').set('Origin', 'https://evil.example');
    expect(response.status).toBe(405);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows any origin with *', async () => {
    const open = createHttpApp({ useCases: taskUseCasesOn(new InMemoryTaskRepository()), corsOrigins: ['*'] });
    const response = await request(open).get('/api/alice/tasks').set('Origin', 'https://anywhere.example');
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('unexpected failures', () => {
  it('answers 500 without a stack trace or SQL, and logs the error with the request id', async () => {
    const lines: { details: Record<string, unknown>; message: string }[] = [];
    const logger: HttpLogger = { info: () => {}, error: (details, message) => void lines.push({ details: details as Record<string, unknown>, message }) };
    const broken = appOn(failingTaskRepository(new Error('syntax error at or near "selec" in select * from tasks')), logger);
    const response = await request(broken).post('/api/alice/tasks').set('X-Request-Id', 'req-500').send({ title: 't' });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ detail: 'Internal Server Error' });
    expect(response.text).not.toMatch(/select|at .*\.ts/);
    expect(lines.find((line) => line.message === 'unhandled error')?.details).toMatchObject({ reqId: 'req-500', route: '/api/:userId/tasks' });
  });
});
