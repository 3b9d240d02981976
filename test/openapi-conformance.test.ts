import express from 'express';
import { describe, expect, it } from 'vitest';
import { checkedAgainstOpenApi } from './openapi-conformance.js';

const document = {
  paths: {
    '/api/{user_id}/tasks/{id}': {
      get: {
        responses: {
          200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Task' } } } },
          404: { headers: { 'X-Required': { required: true, schema: { type: 'string' } } } },
        },
      },
    },
  },
  components: { schemas: { Task: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } },
};

function appAnswering(status: number, body: unknown, mountedAt = '/api') {
  const app = express();
  app.set('etag', false);
  app.get(`${mountedAt}/:userId/tasks/:id`, (req, res) => {
    if (req.query.link) res.setHeader('Link', '</next>; rel="next"');
    res.status(status).json(body);
  });
  app.put(`${mountedAt}/:userId/tasks/:id`, (req, res) => {
    res.setHeader('Allow', String(req.query.allow ?? 'GET'));
    res.status(Number(req.query.status ?? 405)).json({ detail: 'Method Not Allowed' });
  });
  app.get('/undocumented', (_req, res) => void res.json({ anything: true }));
  const checked = checkedAgainstOpenApi(document, { mountedAt });
  return { request: () => checked.request(app), violations: checked.violations, observed: checked.observed };
}

describe('checkedAgainstOpenApi', () => {
  it('accepts a response that matches its documented schema', async () => {
    const checked = appAnswering(200, { id: 1 });
    await checked.request().get('/api/alice/tasks/1');
    expect(checked.violations).toEqual([]);
  });

  it('reports a body that does not match', async () => {
    const checked = appAnswering(200, { id: 'one' });
    await checked.request().get('/api/alice/tasks/1');
    expect(checked.violations).toEqual([expect.stringMatching(/GET \/api\/alice\/tasks\/1 -> 200: .*id must be integer/)]);
  });

  it('reports a status the document does not list', async () => {
    const checked = appAnswering(418, { id: 1 });
    await checked.request().get('/api/alice/tasks/1');
    expect(checked.violations).toEqual(['GET /api/alice/tasks/1 -> 418: status not documented']);
  });

  it('checks task routes mounted under another prefix against the same document', async () => {
    const checked = appAnswering(200, { id: 'one' }, '/v1/tasks-api');
    await checked.request().get('/v1/tasks-api/alice/tasks/1');
    expect(checked.violations).toEqual([expect.stringMatching(/GET \/api\/alice\/tasks\/1 -> 200: .*id must be integer/)]);
  });

  it('reports a contract header sent but not declared, and a required one missing', async () => {
    const sent = appAnswering(200, { id: 1 });
    await sent.request().get('/api/alice/tasks/1?link=1');
    expect(sent.violations).toEqual(['GET /api/alice/tasks/1 -> 200: header link sent but not declared']);
    const missing = appAnswering(404, { detail: 'Task not found' });
    await missing.request().get('/api/alice/tasks/1');
    expect(missing.violations).toEqual(['GET /api/alice/tasks/1 -> 404: required header X-Required missing']);
  });

  it('holds a method the document does not declare to 405 with an Allow of exactly the declared ones', async () => {
    const right = appAnswering(200, { id: 1 });
    await right.request().put('/api/alice/tasks/1');
    expect(right.violations).toEqual([]);
    const wrong = appAnswering(200, { id: 1 });
    await wrong.request().put('/api/alice/tasks/1?allow=GET,%20PUT');
    await wrong.request().put('/api/alice/tasks/1?status=404');
    expect(wrong.violations).toEqual([
      'PUT /api/alice/tasks/1 -> 405: Allow is "GET, PUT", the document declares get',
      'PUT /api/alice/tasks/1 -> 404: a method the document does not declare answered 404, not 405',
    ]);
  });

  it('records the statuses each operation answered', async () => {
    const checked = appAnswering(200, { id: 1 });
    await checked.request().get('/api/alice/tasks/1');
    expect(checked.observed).toEqual(new Map([['GET /api/{user_id}/tasks/{id}', new Set(['200'])]]));
  });

  it('leaves paths outside the document alone', async () => {
    const checked = appAnswering(200, { id: 1 });
    await checked.request().get('/undocumented');
    expect(checked.violations).toEqual([]);
  });
});
