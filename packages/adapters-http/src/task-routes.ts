import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TaskUseCases } from '@tasks/domain';
import type { Authenticator } from './authentication.js';
import { expectedVersions, notModified, setEntityTag } from './entity-tags.js';
import { readRequestBody } from './request-body.js';
import { TaskCreateBody, TaskUpdateBody } from './request-schemas.js';
import { sendJson } from './send-json.js';
import { readTaskRequest } from './task-request.js';
import { toTaskResponse } from './task-response.js';
import { HttpError } from './validation-error.js';

/** A request on its way through a task route, with the raw (still encoded) path parameters. */
interface TaskExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly userId: string;
  readonly id: string;
  /** The query string, without its `?`. */
  readonly query: string;
}

type TaskHandler = (exchange: TaskExchange) => Promise<void>;

interface TaskRoute {
  /** The pattern, as logs and metrics name the route. */
  readonly pattern: string;
  readonly allow: string;
  readonly handlers: Readonly<Record<string, TaskHandler>>;
}

export interface TaskRoutesOptions {
  readonly useCases: TaskUseCases;
  readonly bodyLimitBytes: number;
  /** When given, every task request must pass it before anything else is read. */
  readonly authenticate?: Authenticator | undefined;
  /** `scheme://host` as the client reached the service, or '' when it cannot be told. */
  readonly publicOrigin: (req: IncomingMessage) => string;
}

/** Answers a task request, or returns undefined when the path is not one of the task routes. */
export type TaskRouter = (req: IncomingMessage, res: ServerResponse, path: string, query: string) => TaskDispatch | undefined;

/** A task request matched to its route: `run` answers it (or rejects with the error to answer). */
export interface TaskDispatch {
  readonly pattern: string;
  run(): Promise<void>;
}

function decodeParam(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'Bad Request');
  }
}

/** The collection of a user's tasks, as a path: the base of Location and Link. */
const tasksPath = (userId: string) => `/api/${encodeURIComponent(userId)}/tasks`;

/**
 * The six task endpoints of the contract, matched on Node's own request: `/api/:userId/tasks`,
 * `/api/:userId/tasks/:id` and `/api/:userId/tasks/:id/complete`, case-sensitive, with or without one
 * trailing slash. HEAD is answered as GET; another method gets 405 with `Allow`.
 */
export function taskRoutes(options: TaskRoutesOptions): TaskRouter {
  const { useCases, bodyLimitBytes, authenticate, publicOrigin } = options;
  const body = (exchange: TaskExchange) => readRequestBody(exchange.req, bodyLimitBytes);

  const list: TaskRoute = {
    pattern: '/api/:userId/tasks',
    allow: 'GET, POST',
    handlers: {
      async GET({ req, res, userId: rawUserId, query: rawQuery }) {
        const params = new URLSearchParams(rawQuery);
        const { userId, query } = readTaskRequest({ userId: rawUserId }, { query: params });
        const page = await useCases.listTasks.execute(userId, query);
        if (page.nextCursor) {
          // The next page keeps this request's filter, order and size (RFC 8288, as GitHub does).
          params.set('cursor', page.nextCursor);
          res.setHeader('Link', `<${publicOrigin(req)}${tasksPath(userId)}?${params}>; rel="next"`);
        }
        sendJson(res, 200, page.tasks.map(toTaskResponse));
      },
      async POST(exchange) {
        const { req, res } = exchange;
        const raw = await body(exchange);
        const { userId, body: input } = readTaskRequest(
          { userId: exchange.userId, body: raw, contentType: req.headers['content-type'] },
          { body: TaskCreateBody },
        );
        const idempotencyKey = req.headers['idempotency-key'];
        const { task } = await useCases.createTask.execute({
          userId,
          title: input.title,
          description: input.description ?? null,
          ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
        });
        res.setHeader('Location', `${tasksPath(userId)}/${task.id}`);
        setEntityTag(res, task);
        sendJson(res, 201, toTaskResponse(task));
      },
    },
  };

  const item: TaskRoute = {
    pattern: '/api/:userId/tasks/:id',
    allow: 'GET, PUT, DELETE',
    handlers: {
      async GET({ req, res, ...params }) {
        const { userId, id } = readTaskRequest(params, { id: true });
        const task = await useCases.getTask.execute(userId, id);
        setEntityTag(res, task);
        if (notModified(req, task)) {
          res.statusCode = 304;
          res.end();
          return;
        }
        sendJson(res, 200, toTaskResponse(task));
      },
      async PUT(exchange) {
        const { req, res } = exchange;
        const raw = await body(exchange);
        const { userId, id, body: changes } = readTaskRequest(
          { userId: exchange.userId, id: exchange.id, body: raw, contentType: req.headers['content-type'] },
          { id: true, body: TaskUpdateBody },
        );
        const task = await useCases.updateTask.execute(userId, id, changes, expectedVersions(req));
        setEntityTag(res, task);
        sendJson(res, 200, toTaskResponse(task));
      },
      async DELETE({ req, res, ...params }) {
        const { userId, id } = readTaskRequest(params, { id: true });
        await useCases.deleteTask.execute(userId, id, expectedVersions(req));
        res.statusCode = 204;
        res.end();
      },
    },
  };

  const complete: TaskRoute = {
    pattern: '/api/:userId/tasks/:id/complete',
    allow: 'PATCH',
    handlers: {
      async PATCH({ req, res, ...params }) {
        const { userId, id } = readTaskRequest(params, { id: true });
        const task = await useCases.toggleTaskCompletion.execute(userId, id, expectedVersions(req));
        setEntityTag(res, task);
        sendJson(res, 200, toTaskResponse(task));
      },
    },
  };

  return (req, res, path, query) => {
    if (!path.startsWith('/api/')) return undefined;
    // One trailing slash is the same route, as Express's non-strict routing has it.
    const segments = (path.length > 5 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
    // ['', 'api', userId, 'tasks', id?, 'complete'?]
    if (segments[3] !== 'tasks' || segments[2] === '') return undefined;
    let route: TaskRoute;
    if (segments.length === 4) route = list;
    else if (segments.length === 5 && segments[4] !== '') route = item;
    else if (segments.length === 6 && segments[4] !== '' && segments[5] === 'complete') route = complete;
    else return undefined;

    return {
      pattern: route.pattern,
      async run() {
        const userId = decodeParam(segments[2]!);
        const id = route === list ? '' : decodeParam(segments[4]!);
        const method = req.method === 'HEAD' ? 'GET' : (req.method ?? '');
        const handler = Object.hasOwn(route.handlers, method) ? route.handlers[method] : undefined;
        if (!handler) throw new HttpError(405, 'Method Not Allowed', { Allow: route.allow });
        if (authenticate) await authenticate(req, userId);
        await handler({ req, res, userId, id, query });
      },
    };
  };
}
