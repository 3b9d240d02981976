import express from 'express';
import request from 'supertest';
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

function appAnswering(status: number, body: unknown) {
  const app = express();
  app.get('/api/:userId/tasks/:id', (_req, res) => void res.status(status).json(body));
  app.get('/undocumented', (_req, res) => void res.json({ anything: true }));
  return checkedAgainstOpenApi(app, document);
}

describe('checkedAgainstOpenApi', () => {
  it('accepts a response that matches its documented schema', async () => {
    const checked = appAnswering(200, { id: 1 });
    await request(checked.app).get('/api/alice/tasks/1');
    expect(checked.violations).toEqual([]);
  });

  it('reports a body that does not match', async () => {
    const checked = appAnswering(200, { id: 'one' });
    await request(checked.app).get('/api/alice/tasks/1');
    expect(checked.violations).toEqual([expect.stringMatching(/GET \/api\/alice\/tasks\/1 -> 200: .*id must be integer/)]);
  });

  it('reports a status the document does not list', async () => {
    const checked = appAnswering(418, { id: 1 });
    await request(checked.app).get('/api/alice/tasks/1');
    expect(checked.violations).toEqual(['GET /api/alice/tasks/1 -> 418: status not documented']);
  });

  it('leaves paths outside the document alone', async () => {
    const checked = appAnswering(200, { id: 1 });
    await request(checked.app).get('/undocumented');
    expect(checked.violations).toEqual([]);
  });
});
