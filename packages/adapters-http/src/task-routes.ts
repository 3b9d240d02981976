import type { TaskUseCases } from '@tasks/domain';
import express, { type Request, type RequestHandler, Router } from 'express';
import { TaskCreateBody, TaskUpdateBody } from './request-schemas.js';
import { expectedVersions, notModified, setEntityTag } from './entity-tags.js';
import { searchParams } from './list-query.js';
import { sendJson } from './send-json.js';
import { readTaskRequest } from './task-request.js';
import { toTaskResponse } from './task-response.js';
import { HttpError } from './validation-error.js';

// A host name or IP literal with an optional port, nothing that could close the <...> of a Link.
const SANE_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `scheme://host` as the client reached the service (through `X-Forwarded-*` only when TRUST_PROXY
 * allows), or nothing, making the Link relative, when the Host header is missing or not a host.
 */
function publicOrigin(req: Request): string {
  const host = req.host;
  return host && SANE_HOST.test(host) ? `${req.protocol}://${host}` : '';
}

function methodNotAllowed(allowed: string): RequestHandler {
  return () => {
    throw new HttpError(405, 'Method Not Allowed', { Allow: allowed });
  };
}

/** The six task endpoints of the contract. Handlers have no try/catch: Express 5 forwards rejections. */
export function taskRoutes(useCases: TaskUseCases, bodyLimitBytes: number, guards: RequestHandler[] = []): Router {
  const router = Router({ caseSensitive: true });
  // The raw bytes (any content type), so that the JSON reader can report encoding, syntax and media type itself.
  const body = express.raw({ type: () => true, limit: bodyLimitBytes });

  router
    .route('/api/:userId/tasks')
    .get(...guards, async (req, res) => {
      const params = searchParams(req);
      const { userId, query } = readTaskRequest(req, { query: params });
      const page = await useCases.listTasks.execute(userId, query);
      if (page.nextCursor) {
        // The next page keeps this request's filter, order and size (RFC 8288, as GitHub does).
        params.set('cursor', page.nextCursor);
        res.setHeader('Link', `<${publicOrigin(req)}${req.baseUrl}${req.path}?${params}>; rel="next"`);
      }
      sendJson(res, 200, page.tasks.map(toTaskResponse));
    })
    .post(...guards, body, async (req, res) => {
      const { userId, body: input } = readTaskRequest(req, { body: TaskCreateBody });
      const idempotencyKey = req.headers['idempotency-key'];
      const { task } = await useCases.createTask.execute({
        userId,
        title: input.title,
        description: input.description ?? null,
        ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
      });
      res.location(`${req.baseUrl}${req.path.replace(/\/$/, '')}/${task.id}`);
      setEntityTag(res, task);
      sendJson(res, 201, toTaskResponse(task));
    })
    .all(methodNotAllowed('GET, POST'));

  router
    .route('/api/:userId/tasks/:id')
    .get(...guards, async (req, res) => {
      const { userId, id } = readTaskRequest(req, { id: true });
      const task = await useCases.getTask.execute(userId, id);
      setEntityTag(res, task);
      if (notModified(req, task)) {
        res.status(304).end();
        return;
      }
      sendJson(res, 200, toTaskResponse(task));
    })
    .put(...guards, body, async (req, res) => {
      const { userId, id, body: changes } = readTaskRequest(req, { id: true, body: TaskUpdateBody });
      const task = await useCases.updateTask.execute(userId, id, changes, expectedVersions(req));
      setEntityTag(res, task);
      sendJson(res, 200, toTaskResponse(task));
    })
    .delete(...guards, async (req, res) => {
      const { userId, id } = readTaskRequest(req, { id: true });
      await useCases.deleteTask.execute(userId, id, expectedVersions(req));
      res.status(204).end();
    })
    .all(methodNotAllowed('GET, PUT, DELETE'));

  router
    .route('/api/:userId/tasks/:id/complete')
    .patch(...guards, async (req, res) => {
      const { userId, id } = readTaskRequest(req, { id: true });
      const task = await useCases.toggleTaskCompletion.execute(userId, id, expectedVersions(req));
      setEntityTag(res, task);
      sendJson(res, 200, toTaskResponse(task));
    })
    .all(methodNotAllowed('PATCH'));

  return router;
}
