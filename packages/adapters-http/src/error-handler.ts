import { STATUS_CODES } from 'node:http';
import { DomainError, type DomainErrorCode, InvalidCursorError, TaskInvalidError, TaskLimitReachedError } from '@tasks/domain';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { HttpError } from './http-error.js';
import type { HttpLogger } from './http-logger.js';
import { routePattern } from './request-tracking.js';
import { sendJson } from './send-json.js';
import { RequestValidationError, type ValidationIssue } from './validation-error.js';

/** The one place that decides a status for a domain error. */
const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  TASK_NOT_FOUND: 404,
  TASK_INVALID: 422,
  TASK_CHANGED: 412,
  CURSOR_INVALID: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  TASK_LIMIT_REACHED: 409,
  CHANGE_TOKEN_INVALID: 422,
  CHANGE_TOKEN_EXPIRED: 410,
  STORAGE_UNAVAILABLE: 503,
};

/** Seconds a client should wait before retrying while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 2;

const FIELD_LOCATION: Record<TaskInvalidError['field'], readonly string[]> = {
  userId: ['path', 'user_id'],
  title: ['body', 'title'],
  description: ['body', 'description'],
  limit: ['query', 'limit'],
  idempotencyKey: ['header', 'idempotency-key'],
  changes: ['body'],
  search: ['query', 'q'],
};

function domainErrorBody(error: DomainError): unknown {
  if (error instanceof TaskInvalidError) {
    return { detail: [{ type: 'value_error', loc: FIELD_LOCATION[error.field], msg: `Value error, ${error.reason}`, input: error.input }] };
  }
  if (error instanceof TaskLimitReachedError) {
    return { detail: `Task limit reached: a user may have at most ${error.limit} tasks; delete some to make room` };
  }
  if (error instanceof InvalidCursorError) {
    return { detail: [{ type: 'value_error', loc: ['query', 'cursor'], msg: 'Value error, the cursor is not valid for this list', input: null }] };
  }
  switch (error.code) {
    case 'CHANGE_TOKEN_INVALID':
      return { detail: [{ type: 'value_error', loc: ['query', 'since'], msg: 'Value error, the token is not a change-feed token of this user', input: null }] };
    case 'TASK_NOT_FOUND':
      return { detail: 'Task not found' };
    case 'IDEMPOTENCY_KEY_REUSED':
      return { detail: 'Idempotency-Key was already used with a different request body' };
    case 'TASK_CHANGED':
      return { detail: 'Precondition Failed: the task has changed since the version in If-Match' };
    case 'STORAGE_UNAVAILABLE':
      return { detail: 'Service temporarily unavailable' };
    default:
      return { detail: error.message };
  }
}

/**
 * The body of a 422: FastAPI echoes each offending input. An input nested too deeply to serialise (a
 * hostile body of thousands of brackets) is replaced by null rather than breaking the answer.
 */
function validationBody(issues: readonly ValidationIssue[]): unknown {
  try {
    JSON.stringify(issues);
    return { detail: issues };
  } catch {
    return { detail: issues.map((issue) => ({ ...issue, input: null })) };
  }
}

/** What Express and its body parser attach to the errors they raise (http-errors). */
interface ClientError {
  status?: unknown;
  type?: unknown;
  encoding?: unknown;
  charset?: unknown;
  message: string;
}

/** Express's and the body parser's own 4xx errors, in the contract's shapes. */
function answerClientError(error: ClientError, res: Response): boolean {
  const status = error.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return false;
  switch (error.type) {
    case 'entity.parse.failed': {
      // FastAPI: `loc` is the offset of the syntax error in the body.
      const offset = Number(/position (\d+)/.exec(error.message)?.[1] ?? 0);
      sendJson(res, 422, { detail: [{ type: 'json_invalid', loc: ['body', offset], msg: 'JSON decode error', input: {}, ctx: { error: error.message } }] });
      return true;
    }
    case 'entity.too.large':
      sendJson(res, 413, { detail: 'Request body too large' });
      return true;
    case 'encoding.unsupported':
      sendJson(res, 415, { detail: `Unsupported Content-Encoding: ${String(error.encoding)}` });
      return true;
    case 'charset.unsupported':
      sendJson(res, 415, { detail: `Unsupported charset: ${String(error.charset)}` });
      return true;
    default:
      // A malformed escape in the path (400), a body cut off by the client (400), and the like.
      sendJson(res, status, { detail: STATUS_CODES[status] ?? 'Bad Request' });
      return true;
  }
}

/** Answers `error` if it is one the contract defines; false when it is not. */
function answerKnownError(error: unknown, req: Request, res: Response, logger: HttpLogger): boolean {
  if (error instanceof RequestValidationError) {
    sendJson(res, 422, validationBody(error.issues));
  } else if (error instanceof HttpError) {
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    sendJson(res, error.status, { detail: error.detail });
  } else if (error instanceof DomainError) {
    const status = STATUS_BY_CODE[error.code];
    if (status === 503) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      logger.error({ reqId: res.getHeader('X-Request-Id'), method: req.method, route: routePattern(req), err: error.cause ?? error }, 'database unavailable');
    }
    sendJson(res, status, domainErrorBody(error));
  } else if (error instanceof Error) {
    return answerClientError(error as ClientError, res);
  } else {
    return false;
  }
  return true;
}

/**
 * Answers every error the contract defines in its JSON shape (the FastAPI-shaped 422s, 404, 405, 412, 413,
 * 415, 503 with `Retry-After`, and Express's own 4xx), and passes anything else on to the next error
 * handler: the application's, or the host application's when the task router is mounted elsewhere.
 */
export function contractErrorHandler(logger: HttpLogger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent || !answerKnownError(error, req, res, logger)) next(error);
  };
}

/**
 * The last error handler: an error nothing else answered is logged with its request id and answered as a
 * bare 500, never with a stack trace or SQL. A failure after the response began cuts the response off.
 */
export function unexpectedErrorHandler(logger: HttpLogger): ErrorRequestHandler {
  // Four parameters, or Express would not take it for an error handler.
  return (error, req, res, _next) => {
    const details = { reqId: res.getHeader('X-Request-Id'), method: req.method, route: routePattern(req), err: error };
    if (res.headersSent) {
      logger.error(details, 'error after the response started');
      res.destroy();
      return;
    }
    logger.error(details, 'unhandled error');
    sendJson(res, 500, { detail: 'Internal Server Error' });
  };
}
