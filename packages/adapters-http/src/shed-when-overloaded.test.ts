import { taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import { Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from './create-http-app.js';

describe('shedding load', () => {
  it('answers task requests 503 with Retry-After at once while overloaded, and keeps the probes and metrics answering', async () => {
    let overloaded = true;
    const app = createHttpApp({
      useCases: taskUseCasesOn(new InMemoryTaskRepository()),
      corsOrigins: [],
      health: { ready: async () => true },
      metricsRegistry: new Registry(),
      overloaded: () => overloaded,
    });
    const shed = await request(app).post('/api/alice/tasks').send({ title: 't' });
    expect(shed.status).toBe(503);
    expect(shed.body).toEqual({ detail: 'Service temporarily unavailable' });
    expect(Number(shed.headers['retry-after'])).toBeGreaterThan(0);
    await request(app).get('/livez').expect(200);
    await request(app).get('/readyz').expect(200);
    expect((await request(app).get('/metrics').expect(200)).text).toMatch(/route="\/api",status="503"/);

    overloaded = false;
    await request(app).post('/api/alice/tasks').send({ title: 't' }).expect(201);
    // Nothing was stored while shedding.
    expect((await request(app).get('/api/alice/tasks')).body).toHaveLength(1);
  });
});
