import { taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import { Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from './create-http-app.js';
import type { HttpLogger } from './http-logger.js';

type Line = { level: 'info' | 'error'; details: Record<string, unknown>; message: string };

function recordingLogger(): HttpLogger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (details: object, message: string) => void lines.push({ level, details: details as Record<string, unknown>, message });
  return { lines, info: at('info'), error: at('error') };
}

function appWith(options: { ready?: boolean | (() => Promise<boolean>); logger?: HttpLogger; registry?: Registry } = {}) {
  const ready = options.ready ?? true;
  return createHttpApp({
    useCases: taskUseCasesOn(new InMemoryTaskRepository()),
    corsOrigins: ['http://localhost:3000'],
    health: { ready: typeof ready === 'function' ? ready : async () => ready },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.registry ? { metricsRegistry: options.registry } : {}),
  });
}

/** Parses Prometheus text format into samples; throws on a line that is not valid exposition format. */
function parsePrometheus(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

describe('health probes', () => {
  it('answers /livez without looking at any dependency', async () => {
    const response = await request(appWith({ ready: false })).get('/livez');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 while ready and 503 with Retry-After while not', async () => {
    let ready = true;
    const app = appWith({ ready: async () => ready });
    await request(app).get('/readyz').expect(200, { status: 'ready' });
    ready = false;
    const response = await request(app).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ detail: 'Service temporarily unavailable' });
    expect(response.headers['retry-after']).toBeDefined();
  });
});

describe('request ids', () => {
  it('echoes a sane X-Request-Id', async () => {
    const response = await request(appWith()).get('/api/alice/tasks').set('X-Request-Id', 'abc-123.DEF');
    expect(response.headers['x-request-id']).toBe('abc-123.DEF');
  });

  it.each(['', 'has space', 'x'.repeat(129), '<script>'])('replaces an insane X-Request-Id (%j) with a generated one', async (id) => {
    const response = await request(appWith()).get('/api/alice/tasks').set('X-Request-Id', id);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('generates one when none is sent, different for each request', async () => {
    const app = appWith();
    const first = (await request(app).get('/livez')).headers['x-request-id'];
    const second = (await request(app).get('/livez')).headers['x-request-id'];
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
  });
});

describe('request logs', () => {
  it('writes one line per request with the route pattern, status, duration and request id, and no body', async () => {
    const logger = recordingLogger();
    await request(appWith({ logger })).post('/api/alice/tasks').set('X-Request-Id', 'req-1').send({ title: 'secret plans' }).expect(201);
    const requestLines = logger.lines.filter((line) => line.message === 'request completed');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]!.details).toEqual({ reqId: 'req-1', method: 'POST', route: '/api/:userId/tasks', status: 201, durationMs: expect.any(Number) });
    expect(JSON.stringify(logger.lines)).not.toMatch(/secret plans|alice/);
  });

  it('logs a 500 as an error with the error itself and the request id', async () => {
    const logger = recordingLogger();
    const broken = createHttpApp({
      useCases: taskUseCasesOn({
        create: async () => {
          throw new Error('boom');
        },
      } as never),
      corsOrigins: [],
      logger,
    });
    await request(broken).post('/api/alice/tasks').set('X-Request-Id', 'req-500').send({ title: 't' }).expect(500);
    const failure = logger.lines.find((line) => line.message === 'unhandled error');
    expect(failure?.level).toBe('error');
    expect(failure?.details).toMatchObject({ reqId: 'req-500', err: expect.objectContaining({ message: 'boom' }) });
    expect(logger.lines.find((line) => line.message === 'request failed')?.details).toMatchObject({ status: 500 });
  });
});

describe('/metrics', () => {
  it('serves request counts and latency by method, route pattern and status, in Prometheus text format', async () => {
    const registry = new Registry();
    const app = appWith({ registry });
    await request(app).get('/api/alice/tasks').expect(200);
    await request(app).get('/api/bob/tasks/not-a-number').expect(422);
    await request(app).get('/no/such/route').expect(404);

    const response = await request(app).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const samples = parsePrometheus(response.text);
    const count = (route: string, status: string) =>
      samples.find((s) => s.name === 'http_requests_total' && s.labels.route === route && s.labels.status === status)?.value;
    expect(count('/api/:userId/tasks', '200')).toBe(1);
    expect(count('/api/:userId/tasks/:id', '422')).toBe(1);
    expect(count('unmatched', '404')).toBe(1);
    expect(samples.some((s) => s.name === 'http_request_duration_seconds_bucket')).toBe(true);
    // Label values are route patterns: no user id, no raw path ever becomes a label.
    expect(response.text).not.toMatch(/alice|bob|not-a-number|no\/such/);
  });
});

describe('security headers', () => {
  it('sends the headers a JSON API should, and nothing that names the framework', async () => {
    const response = await request(appWith()).get('/api/alice/tasks');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});

describe('API description', () => {
  it('serves an OpenAPI 3.1 document with every task operation', async () => {
    const response = await request(appWith()).get('/openapi.json').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.openapi).toBe('3.1.0');
    const operations = Object.values(response.body.paths as Record<string, Record<string, { operationId: string }>>)
      .flatMap((methods) => Object.values(methods).map((operation) => operation.operationId))
      .sort();
    expect(operations).toEqual([
      'createTask',
      'deleteTask',
      'deleteTasks',
      'getTask',
      'listTaskChanges',
      'listTasks',
      'streamTaskChanges',
      'toggleTaskCompletion',
      'updateTask',
      'updateTasks',
    ]);
    expect(response.body.components.schemas.TaskCreate.properties.title).toMatchObject({ minLength: 1, maxLength: 200 });
  });

  it('serves the reference page and its assets from the service itself, with a CSP that allows only them', async () => {
    const app = appWith();
    const page = await request(app).get('/docs/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    await request(app).get('/docs/swagger-ui-bundle.js').expect(200);
    const init = await request(app).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('/openapi.json');
  });
});
