import type { TaskFilter, TaskListQuery, TaskUseCases } from '@tasks/domain';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { allowMethods } from './allow-methods.js';
import { authenticatedUntilMs, bearerAuthentication } from './authentication.js';
import { toChangePageResponse } from './change-response.js';
import { ChangeStreams } from './change-streams.js';
import { expectedVersions, notModified, setEntityTag } from './entity-tags.js';
import { contractErrorHandler } from './error-handler.js';
import { type HttpLogger, silentLogger } from './http-logger.js';
import { jsonBody, parsedBody } from './json-body.js';
import { Lane } from './lane.js';
import { linkOrigin } from './link-origin.js';
import { lastOf, readChangesQuery } from './list-query.js';
import { perUserRateLimit, type RateLimitOptions } from './per-user-rate-limit.js';
import { TaskCreateBody, TaskUpdateBody } from './request-schemas.js';
import { sendJson } from './send-json.js';
import { sendJsonArray } from './send-json-array.js';
import { readTaskRequest } from './task-request.js';
import { toTaskResponse } from './task-response.js';
import type { TokenVerifier } from './token-verifier.js';
import { missingIssue, RequestValidationError } from './validation-error.js';

/** The largest request body the task routes accept unless told otherwise. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** What the task routes need; they never open a database themselves. */
export interface TaskRouterOptions {
  readonly useCases: TaskUseCases;
  /** Largest accepted request body; larger ones get 413. */
  readonly bodyLimitBytes?: number;
  /** When given, every request needs a bearer token this verifier accepts, for the path's user. */
  readonly tokenVerifier?: TokenVerifier | undefined;
  /** Where a database outage (503) is reported; silent when absent. */
  readonly logger?: HttpLogger;
  /** When given, each user's requests are limited to this many a minute (429 beyond). */
  readonly rateLimit?: RateLimitOptions | undefined;
  /** The live change streams; by default the router keeps its own, with the default limits. */
  readonly changeStreams?: ChangeStreams | undefined;
}

/**
 * The list's filters (`completed`, `q`) as a bulk action takes them. A page's `limit` or `cursor` is
 * refused: a bulk action applies to every matching task, and a client that meant a page must learn it.
 */
function filterOf(query: TaskListQuery, params: URLSearchParams): TaskFilter {
  const paging = (['limit', 'cursor'] as const).filter((name) => params.has(name));
  if (paging.length > 0) {
    throw new RequestValidationError(
      paging.map((name) => ({
        type: 'value_error',
        loc: ['query', name],
        msg: 'Value error, a bulk action applies to every matching task; it takes no page',
        input: lastOf(params, name),
      })),
    );
  }
  return { ...(query.completed === undefined ? {} : { completed: query.completed }), ...(query.words ? { words: query.words } : {}) };
}

/** The collection of a user's tasks, as the client addressed it: the base of Location and Link. */
const tasksPath = (req: Request, userId: string) => `${req.baseUrl}/${encodeURIComponent(userId)}/tasks`;

/** The path's parameters, still as Express decoded them. */
const pathOf = (req: Request) => ({ userId: req.params.userId as string, id: req.params.id as string });

/** The query string as written: FastAPI's parameter rules are applied to it, not Express's parser's. */
function queryOf(req: Request): URLSearchParams {
  const question = req.url.indexOf('?');
  return new URLSearchParams(question === -1 ? '' : req.url.slice(question + 1));
}

/**
 * The six task operations of the contract as an Express router, to mount at any prefix (`/api` in this
 * service): `/:userId/tasks`, `/:userId/tasks/:id` and `/:userId/tasks/:id/complete`, case-sensitive.
 * HEAD is answered as GET, another method gets 405 with `Allow`. Bodies are read by Express's JSON
 * parser unless an application's own parser already read them. The router answers the contract's own
 * errors in their FastAPI shapes and passes anything else on to the application's error handler.
 */
export function taskRouter(options: TaskRouterOptions): Router {
  const { useCases } = options;
  const body = jsonBody(options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES);
  const logger = options.logger ?? silentLogger;
  // Whole lists take turns, one batch at a time: a few huge lists cannot crowd everyone else out.
  const wholeLists = new Lane();
  // What a request must pass before its route reads anything: the bearer token, then the user's share of
  // requests (authenticated first, so only real users are counted). Without a verifier or a limit the
  // routes are open, as in the first plan: no handler at all, not one that passes.
  const admission: RequestHandler[] = [
    ...(options.tokenVerifier ? [bearerAuthentication(options.tokenVerifier)] : []),
    ...(options.rateLimit ? [perUserRateLimit(options.rateLimit, logger)] : []),
  ];

  const streams = options.changeStreams ?? new ChangeStreams({ readChanges: useCases.readChanges, watcher: useCases.changeWatcher, logger });

  async function listTasks(req: Request, res: Response) {
    const params = queryOf(req);
    const { userId, query } = readTaskRequest(pathOf(req), { query: params });
    if (query.limit === undefined) {
      // The whole list, as the first plan answers it: streamed, so its length costs no memory.
      await sendJsonArray(res, useCases.listAllTasks.execute(userId, query), toTaskResponse, wholeLists);
      return;
    }
    const page = await useCases.listTasks.execute(userId, query);
    if (page.nextCursor) {
      // The next page keeps this request's filter, order and size (RFC 8288, as GitHub does).
      params.set('cursor', page.nextCursor);
      res.setHeader('Link', `<${linkOrigin(req)}${tasksPath(req, userId)}?${params}>; rel="next"`);
    }
    sendJson(res, 200, page.tasks.map(toTaskResponse));
  }

  async function createTask(req: Request, res: Response) {
    const { userId, body: input } = readTaskRequest({ ...pathOf(req), body: parsedBody(req) }, { body: TaskCreateBody });
    const idempotencyKey = req.headers['idempotency-key'];
    const { task } = await useCases.createTask.execute({
      userId,
      title: input.title,
      description: input.description ?? null,
      ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
    });
    res.setHeader('Location', `${tasksPath(req, userId)}/${task.id}`);
    setEntityTag(res, task);
    sendJson(res, 201, toTaskResponse(task));
  }

  async function getTask(req: Request, res: Response) {
    const { userId, id } = readTaskRequest(pathOf(req), { id: true });
    const task = await useCases.getTask.execute(userId, id);
    setEntityTag(res, task);
    if (notModified(req, task)) {
      res.status(304).end();
      return;
    }
    sendJson(res, 200, toTaskResponse(task));
  }

  async function updateTask(req: Request, res: Response) {
    const { userId, id, body: changes } = readTaskRequest({ ...pathOf(req), body: parsedBody(req) }, { id: true, body: TaskUpdateBody });
    const task = await useCases.updateTask.execute(userId, id, changes, expectedVersions(req));
    setEntityTag(res, task);
    sendJson(res, 200, toTaskResponse(task));
  }

  async function deleteTask(req: Request, res: Response) {
    const { userId, id } = readTaskRequest(pathOf(req), { id: true });
    await useCases.deleteTask.execute(userId, id, expectedVersions(req));
    res.status(204).end();
  }

  async function toggleTaskCompletion(req: Request, res: Response) {
    const { userId, id } = readTaskRequest(pathOf(req), { id: true });
    const task = await useCases.toggleTaskCompletion.execute(userId, id, expectedVersions(req));
    setEntityTag(res, task);
    sendJson(res, 200, toTaskResponse(task));
  }

  async function updateTasks(req: Request, res: Response) {
    const params = queryOf(req);
    const { userId, query, body: changes } = readTaskRequest({ ...pathOf(req), body: parsedBody(req) }, { query: params, body: TaskUpdateBody });
    const updated = await useCases.updateTasks.execute(userId, filterOf(query, params), changes);
    sendJson(res, 200, { updated });
  }

  async function deleteTasks(req: Request, res: Response) {
    const params = queryOf(req);
    const { userId, query } = readTaskRequest(pathOf(req), { query: params });
    // Deleting every task takes saying so: a bare DELETE on the collection is refused, not obeyed.
    if (query.completed === undefined) throw new RequestValidationError([missingIssue(['query', 'completed'], null)]);
    const deleted = await useCases.deleteTasks.execute(userId, filterOf(query, params));
    sendJson(res, 200, { deleted });
  }

  async function readChanges(req: Request, res: Response) {
    const { userId } = readTaskRequest(pathOf(req));
    const { since, limit } = readChangesQuery(queryOf(req));
    const page = await useCases.readChanges.execute(userId, since, limit);
    sendJson(res, 200, toChangePageResponse(page));
  }

  async function followChanges(req: Request, res: Response) {
    const { userId } = readTaskRequest(pathOf(req));
    // A reconnecting EventSource sends the id of the last event it received; a first connection may name
    // a token of the feed as `since`; without either, the stream starts from now.
    const lastEventId = req.headers['last-event-id'];
    const since = typeof lastEventId === 'string' && lastEventId.trim() !== '' ? lastEventId.trim() : lastOf(queryOf(req), 'since') || undefined;
    if (req.method === 'HEAD') {
      if (since !== undefined) await useCases.readChanges.check(userId, since);
      res.status(200).type('text/event-stream').end();
      return;
    }
    // In jwt mode the stream ends when the token that opened it stops counting: the client reconnects
    // with a fresh one (and Last-Event-ID), so a stream does not outlive its credentials.
    await streams.open(userId, since, res, authenticatedUntilMs(res));
  }

  const router = Router({ caseSensitive: true });
  // Before /:userId/tasks/:id, which would take "changes" and "events" for task ids.
  router
    .route('/:userId/tasks/changes')
    .all(allowMethods('GET'), ...admission)
    .get(readChanges);
  router
    .route('/:userId/tasks/events')
    .all(allowMethods('GET'), ...admission)
    .get(followChanges);
  router
    .route('/:userId/tasks')
    .all(allowMethods('GET', 'POST', 'PATCH', 'DELETE'), ...admission)
    .get(listTasks)
    .post(body, createTask)
    .patch(body, updateTasks)
    .delete(deleteTasks);
  router
    .route('/:userId/tasks/:id')
    .all(allowMethods('GET', 'PUT', 'DELETE'), ...admission)
    .get(getTask)
    .put(body, updateTask)
    .delete(deleteTask);
  router
    .route('/:userId/tasks/:id/complete')
    .all(allowMethods('PATCH'), ...admission)
    .patch(toggleTaskCompletion);
  router.use(contractErrorHandler(logger));
  return router;
}
