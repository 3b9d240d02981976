import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import {
  CHANGES_PAGE_DEFAULT,
  CHANGES_PAGE_MAX,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENCY_KEY_TTL_HOURS,
  LIST_LIMIT_MAX,
  SEARCH_MAX_LENGTH,
} from '@tasks/domain';
import { z } from 'zod';
import { ChangePageBody, TasksDeletedBody, TasksUpdatedBody } from './change-response.js';
import { SORT_VALUES } from './list-query.js';
import { TaskCreateBody, TaskUpdateBody, UserIdParam } from './request-schemas.js';
import { TaskResponseBody } from './task-response.js';

const Detail = z.object({ detail: z.string() }).meta({ id: 'Detail', description: 'An error with a message.' });

const ValidationIssue = z
  .object({
    type: z.string().meta({ example: 'string_too_short' }),
    loc: z.array(z.union([z.string(), z.number().int()])).meta({ example: ['body', 'title'] }),
    msg: z.string(),
    input: z.unknown(),
    ctx: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'ValidationIssue' });

const ValidationError = z
  .object({ detail: z.array(ValidationIssue) })
  .meta({ id: 'HTTPValidationError', description: 'What is wrong with the request, one entry per fault.' });

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const UserPath = z.object({ user_id: UserIdParam.meta({ description: 'The owner of the tasks.', example: 'alice' }) });
const TaskPath = UserPath.extend({
  // Read as pydantic reads an integer in a path: also `42.0`, ` 42 ` and `4_2`. Clients send integers.
  id: z
    .union([z.number().int(), z.string().regex(/^\s*[+-]?\d+(?:_\d+)*(?:\.0*)?\s*$/)])
    .meta({ description: 'The task id: an integer (also read as pydantic reads one: `42.0`, ` 42 `, `4_2`).', example: 1 }),
});

const ListQuery = z.object({
  completed: z.enum(['true', 'false']).optional().meta({ description: 'Only completed (true) or only open (false) tasks.' }),
  q: z.string().min(1).max(SEARCH_MAX_LENGTH).optional().meta({
    description: 'Only tasks with every word of `q` (separated by spaces) in their title or description, ignoring case; `%` and `_` are matched as themselves.',
    example: 'milk',
  }),
  sort: z.enum(SORT_VALUES).optional().meta({ description: 'Order of the list; `-` for descending. Ties are broken by id. Default `created_at`.' }),
  limit: z.number().int().min(1).max(LIST_LIMIT_MAX).optional().meta({ description: 'Page size. With it, the next page is in the `Link` header.' }),
  cursor: z.string().optional().meta({ description: 'Where the page starts: copy it from the `Link` header of the previous page.' }),
});

const Completed = z.enum(['true', 'false']).meta({ description: 'Only completed (true) or only open (false) tasks.' });
const BulkQuery = z.object({ completed: Completed.optional() });
const ClearQuery = z.object({ completed: Completed });
const Since = z.string().meta({ description: 'A token from `next_since` (or an event id of the stream). Opaque.' });
const ChangesQuery = z.object({
  since: Since.optional().meta({ description: 'Where the previous read ended (`next_since`); without it, the feed from its beginning: every task.' }),
  limit: z
    .number()
    .int()
    .min(1)
    .max(CHANGES_PAGE_MAX)
    .optional()
    .meta({ description: `Most changes in the page (default ${CHANGES_PAGE_DEFAULT}).` }),
});
const EventsQuery = z.object({ since: Since.optional().meta({ description: 'Start after this token; without it (and without Last-Event-ID), from now on.' }) });
const LastEventId = z.object({
  'last-event-id': z.string().optional().meta({ description: 'The id of the last event received: a reconnecting EventSource sends it by itself.' }),
});
const expired = {
  410: json(
    Detail,
    'The token is older than the feed keeps deletions (`CHANGES_RETENTION_DAYS`): read the whole list again, then follow the feed from its beginning.',
  ),
};

const ETAG = {
  ETag: { description: "The task version's strong entity tag, for If-Match and If-None-Match.", required: true, schema: { type: 'string' as const } },
};
const LOCATION = { Location: { description: 'The path of the created task.', required: true, schema: { type: 'string' as const } } };
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'string' as const } } };
const IfMatch = z.object({
  'if-match': z.string().optional().meta({ description: 'Apply only if the task is still at this entity tag (from ETag); otherwise 412.' }),
});
const IfNoneMatch = z.object({
  'if-none-match': z.string().optional().meta({ description: 'Answer 304 without a body if the task is still at this entity tag.' }),
});
const IdempotencyKey = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(IDEMPOTENCY_KEY_MAX_LENGTH)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .meta({
      description: `Repeat a create safely: within ${IDEMPOTENCY_KEY_TTL_HOURS} hours the same key and body return the original 201 and create nothing.`,
    }),
});
const preconditionFailed = { 412: json(Detail, 'The task changed since the version named in If-Match; nothing was applied.') };

const errors = {
  422: json(ValidationError, 'The request is invalid.'),
  503: { ...json(Detail, 'The database is unreachable, or the service is overloaded; retry after `Retry-After` seconds.'), headers: RETRY_AFTER },
  default: json(Detail, 'Any other error (a malformed path, 500): a message, never a stack trace.'),
};
const notFound = { 404: json(Detail, 'The user has no task with this id.') };

/**
 * Builds the OpenAPI 3.1 document of the API from the same zod schemas that validate requests. With
 * `bearerAuth`, every task operation declares the bearer scheme and its 401 and 403 answers; with
 * `rateLimited`, its 429 and the rate limit headers.
 */
export function buildOpenApiDocument(options: { bearerAuth?: boolean; rateLimited?: boolean } = {}) {
  const registry = new OpenAPIRegistry();
  // Without authentication every operation is explicitly open.
  let PUBLIC: { [scheme: string]: string[] }[] = [];
  let auth = {};
  if (options.bearerAuth) {
    const scheme = registry.registerComponent('securitySchemes', 'bearerAuth', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: "A JWT whose subject (or configured claim) is the path's user_id.",
    });
    PUBLIC = [{ [scheme.name]: [] }];
    auth = {
      401: json(Detail, 'No valid bearer token (`WWW-Authenticate: Bearer`).'),
      403: json(Detail, 'The token is valid but for another user.'),
    };
  }
  if (options.rateLimited) {
    const header = (description: string) => ({ description, schema: { type: 'string' as const } });
    auth = {
      ...auth,
      429: {
        ...json(Detail, "More requests this minute than the user's share (`RATE_LIMIT_PER_MINUTE`); nothing was done."),
        headers: {
          'Retry-After': header('Seconds until the window resets.'),
          RateLimit: header('The remaining quota, as the IETF RateLimit header fields draft 8 states it: `"per-user";r=0;t=42`.'),
          'RateLimit-Policy': header('The quota: `"per-user";q=600;w=60`.'),
        },
      },
    };
  }
  const tags = ['tasks'];
  registry.registerPath({
    method: 'post',
    path: '/api/{user_id}/tasks',
    operationId: 'createTask',
    summary: 'Create a task',
    tags,
    security: PUBLIC,
    request: {
      params: UserPath,
      headers: IdempotencyKey,
      body: { required: true, content: { 'application/json': { schema: TaskCreateBody } } },
    },
    responses: {
      ...auth,
      201: { ...json(TaskResponseBody, 'The task, as stored (or as first stored, for a repeated Idempotency-Key).'), headers: { ...LOCATION, ...ETAG } },
      409: json(Detail, 'The user has the most tasks a user may have (`MAX_TASKS_PER_USER`); delete some to make room.'),
      413: json(Detail, 'The body is larger than the limit.'),
      415: json(Detail, 'The body is not JSON.'),
      ...errors,
      422: json(
        z.union([ValidationError, Detail]),
        'The request is invalid (a list of faults), or its Idempotency-Key was used for a different body (a message).',
      ),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/{user_id}/tasks',
    operationId: 'listTasks',
    summary: "List a user's tasks, oldest first",
    tags,
    security: PUBLIC,
    request: { params: UserPath, query: ListQuery },
    responses: {
      ...auth,
      200: {
        ...json(z.array(TaskResponseBody), "The user's tasks (one page of them with `limit`)."),
        headers: {
          Link: {
            description: 'With `limit`, when there is a next page: `<url>; rel="next"` (RFC 8288).',
            schema: { type: 'string' },
          },
        },
      },
      ...errors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/{user_id}/tasks/{id}',
    operationId: 'getTask',
    summary: 'Get a task',
    tags,
    security: PUBLIC,
    request: { params: TaskPath, headers: IfNoneMatch },
    responses: {
      ...auth,
      200: { ...json(TaskResponseBody, 'The task.'), headers: ETAG },
      304: { description: 'Not modified since the entity tag in If-None-Match; no body.', headers: ETAG },
      ...notFound,
      ...errors,
    },
  });
  registry.registerPath({
    method: 'put',
    path: '/api/{user_id}/tasks/{id}',
    operationId: 'updateTask',
    summary: 'Change some fields of a task',
    tags,
    security: PUBLIC,
    request: { params: TaskPath, headers: IfMatch, body: { required: true, content: { 'application/json': { schema: TaskUpdateBody } } } },
    responses: {
      ...auth,
      200: { ...json(TaskResponseBody, 'The task after the change.'), headers: ETAG },
      ...preconditionFailed,
      413: json(Detail, 'The body is larger than the limit.'),
      415: json(Detail, 'The body is not JSON.'),
      ...notFound,
      ...errors,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/{user_id}/tasks/{id}',
    operationId: 'deleteTask',
    summary: 'Delete a task',
    tags,
    security: PUBLIC,
    request: { params: TaskPath, headers: IfMatch },
    responses: { ...auth, 204: { description: 'Deleted; no body.' }, ...preconditionFailed, ...notFound, ...errors },
  });
  registry.registerPath({
    method: 'patch',
    path: '/api/{user_id}/tasks/{id}/complete',
    operationId: 'toggleTaskCompletion',
    summary: 'Flip the completion of a task',
    tags,
    security: PUBLIC,
    request: { params: TaskPath, headers: IfMatch },
    responses: {
      ...auth,
      200: { ...json(TaskResponseBody, 'The task with `completed` flipped.'), headers: ETAG },
      ...preconditionFailed,
      ...notFound,
      ...errors,
    },
  });
  registry.registerPath({
    method: 'patch',
    path: '/api/{user_id}/tasks',
    operationId: 'updateTasks',
    summary: 'Change every matching task at once (complete all)',
    description: 'One atomic change of the feed. Tasks already as asked are left alone and not counted.',
    tags,
    security: PUBLIC,
    request: { params: UserPath, query: BulkQuery, body: { required: true, content: { 'application/json': { schema: TaskUpdateBody } } } },
    responses: {
      ...auth,
      200: json(TasksUpdatedBody, 'How many tasks changed.'),
      413: json(Detail, 'The body is larger than the limit.'),
      415: json(Detail, 'The body is not JSON.'),
      ...errors,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/{user_id}/tasks',
    operationId: 'deleteTasks',
    summary: 'Delete every matching task at once (clear completed)',
    description: 'One atomic change of the feed; `completed` is required, so no request deletes every task by accident.',
    tags,
    security: PUBLIC,
    request: { params: UserPath, query: ClearQuery },
    responses: { ...auth, 200: json(TasksDeletedBody, 'How many tasks were deleted.'), ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/{user_id}/tasks/changes',
    operationId: 'listTaskChanges',
    summary: 'What changed since a token: the change feed',
    description:
      'Tasks created or changed (each once, as it now is) and tasks deleted after `since`, in the order the changes committed, ' +
      'whichever instance made them. Follow `next_since` while `has_more`; a client that does never misses a change and never sees one twice.',
    tags,
    security: PUBLIC,
    request: { params: UserPath, query: ChangesQuery },
    responses: { ...auth, 200: json(ChangePageBody, 'A page of the feed.'), ...expired, ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/{user_id}/tasks/events',
    operationId: 'streamTaskChanges',
    summary: 'The change feed, live, as Server-Sent Events',
    description:
      'One `data:` event per entry of the feed (a `TaskChange` as JSON), its `id` the token after it; resumes after `Last-Event-ID`. ' +
      'A `: heartbeat` comment at least every 15 seconds. Ends when the service shuts down, when it cannot read the feed, or when the bearer token that opened it stops being accepted: reconnect (with a fresh token) and the last id.',
    tags,
    security: PUBLIC,
    request: { params: UserPath, query: EventsQuery, headers: LastEventId },
    responses: {
      ...auth,
      200: {
        description: 'The stream of changes.',
        content: {
          'text/event-stream': {
            schema: z
              .string()
              .meta({ example: 'id: WzEsImFsaWNlIiw3LDMsMCwxNzk2MDgyODg5XQ\ndata: {"type":"delete","id":3,"deleted_at":"2026-11-30T23:54:40.260Z"}\n\n' }),
          },
        },
      },
      ...expired,
      429: {
        ...json(
          Detail,
          'The user has the most streams open a user may have (`MAX_STREAMS_PER_USER`)' +
            (options.rateLimited ? ', or more requests this minute than their share.' : '.'),
        ),
        headers: {
          ...((auth as { 429?: { headers?: object } })[429]?.headers ?? {}),
          'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'string' } },
        },
      },
      ...errors,
    },
  });
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tasks API',
      version: '0.1.0',
      description:
        "Each user's to-do tasks, scoped by the user id in the path. A method a path does not list answers 405 with `Allow` naming " +
        'the ones it does. A query parameter given twice counts by its last value, as in FastAPI.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: [{ name: 'tasks', description: 'Create, read, change and delete tasks.' }],
  });
  if (options.rateLimited) declareRateLimitHeaders(document);
  return document;
}

/**
 * With a rate limit, every answer counted against it carries the quota: always on a success, and on the
 * errors that come after the count (a 401 or 403 comes before it; a 503 of an overloaded service may too).
 */
function declareRateLimitHeaders(document: ReturnType<OpenApiGeneratorV31['generateDocument']>): void {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations as Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (status === '401' || status === '403' || status === '429') continue;
        const required = status.startsWith('2') || status === '304';
        response.headers = {
          ...response.headers,
          RateLimit: { description: 'The remaining quota (IETF RateLimit header fields, draft 8).', required, schema: { type: 'string' } },
          'RateLimit-Policy': { description: 'The quota.', required, schema: { type: 'string' } },
        };
      }
    }
  }
}
