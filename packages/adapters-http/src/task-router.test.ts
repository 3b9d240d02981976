import { type TaskUseCases, taskUseCasesOn } from '@tasks/domain';
import { failingTaskRepository, InMemoryTaskRepository } from '@tasks/domain/testing';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { describeHttpContract } from '../../../test/describe-http-contract.js';
import { taskRouter } from './task-router.js';

/**
 * A host application as its developers would write it: its own JSON parser and header-setting middleware
 * in front, the task router under a prefix of its choosing, its own error handler behind.
 */
function hostApplication(useCases: TaskUseCases, options: { bodyLimitBytes?: number; received?: unknown[]; ownJsonParser?: boolean } = {}) {
  const host = express();
  if (options.ownJsonParser !== false) host.use(express.json());
  host.use((_req, res, next) => {
    res.setHeader('X-Host-Middleware', 'ran');
    next();
  });
  host.use('/v1/tasks-api', taskRouter({ useCases, ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}) }));
  const hostErrors: ErrorRequestHandler = (error, _req, res, _next) => {
    options.received?.push(error);
    res.status(500).json({ detail: 'The host application failed' });
  };
  host.use(hostErrors);
  return host;
}

describeHttpContract('taskRouter mounted by a host application with its own express.json()', {
  app: (useCases, options) => hostApplication(useCases, options),
  base: '/v1/tasks-api',
  ownBodyParser: false,
  everyResponse: (response) => expect(response.headers['x-host-middleware']).toBe('ran'),
});

describeHttpContract('taskRouter mounted by a host application without a body parser', {
  app: (useCases, options) => hostApplication(useCases, { ...options, ownJsonParser: false }),
  base: '/v1/tasks-api',
  ownBodyParser: true,
  everyResponse: (response) => expect(response.headers['x-host-middleware']).toBe('ran'),
});

describe('taskRouter in a host application', () => {
  it("passes an error it does not answer on to the host's error handler, as it was raised", async () => {
    const failure = new Error('the repository broke');
    const received: unknown[] = [];
    const host = hostApplication(taskUseCasesOn(failingTaskRepository(failure)), { received });

    const response = await request(host).get('/v1/tasks-api/alice/tasks');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ detail: 'The host application failed' });
    expect(received).toEqual([failure]);
  });

  it('answers the errors of the contract itself, so the host never sees them', async () => {
    const received: unknown[] = [];
    const host = hostApplication(taskUseCasesOn(new InMemoryTaskRepository()), { received });
    await request(host).get('/v1/tasks-api/alice/tasks/42').expect(404, { detail: 'Task not found' });
    await request(host).post('/v1/tasks-api/alice/tasks').send({ title: '' }).expect(422);
    await request(host).put('/v1/tasks-api/alice/tasks').expect(405);
    expect(received).toEqual([]);
  });

  it("lets the host's JSON parser answer for bodies it refuses, as the host chose", async () => {
    const received: unknown[] = [];
    const host = hostApplication(taskUseCasesOn(new InMemoryTaskRepository()), { received });
    const response = await request(host).post('/v1/tasks-api/alice/tasks').set('Content-Type', 'application/json').send('{"title": ');
    expect(response.status).toBe(500);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: 'entity.parse.failed' });
  });

  it('builds Location and Link from the prefix it is mounted at', async () => {
    const host = hostApplication(taskUseCasesOn(new InMemoryTaskRepository()));
    const created = await request(host).post('/v1/tasks-api/alice/tasks').send({ title: 'a' }).expect(201);
    expect(created.headers.location).toBe(`/v1/tasks-api/alice/tasks/${created.body.id}`);
    await request(host).post('/v1/tasks-api/alice/tasks').send({ title: 'b' }).expect(201);
    const page = await request(host).get('/v1/tasks-api/alice/tasks?limit=1').expect(200);
    expect(page.headers.link).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/v1\/tasks-api\/alice\/tasks\?limit=1&cursor=[^>]+>; rel="next"$/);
  });
});
