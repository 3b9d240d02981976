import express from 'express';
import { describe, expect, it } from 'vitest';
import { checkedAgainstOpenApi } from './openapi-conformance.js';

const document = {
  paths: {
    '/api/{user_id}/tasks/{id}': {
      get: {
        responses: {
          200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Task' } } } },
        },
      },
    },
  },
  components: { schemas: { Task: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } },
};

function appAnswering(status: number, body: unknown, mountedAt = '/api') {
  const app = express();
  app.get(`${mountedAt}/:userId/tasks/:id`, (_req, res) => void res.status(status).json(body));
  app.get('/undocumented', (_req, res) => void res.json({ anything: true }));
  const checked = checkedAgainstOpenApi(document, { mountedAt });
  return { request: () => checked.request(app), violations: checked.violations };
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

  it('leaves paths outside the document alone', async () => {
    const checked = appAnswering(200, { id: 1 });
    await checked.request().get('/undocumented');
    expect(checked.violations).toEqual([]);
  });
});
