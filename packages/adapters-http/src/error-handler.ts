import { STATUS_CODES } from 'node:http';
import { DomainError, type DomainErrorCode, InvalidCursorError, TaskInvalidError } from '@tasks/domain';
import type { ErrorRequestHandler } from 'express';
import type { HttpLogger } from './http-logger.js';
import { routePattern } from './request-context.js';
import { sendJson } from './send-json.js';
import { HttpError, RequestValidationError, type ValidationIssue } from './validation-error.js';

/** The one place that decides a status for a domain error. */
const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  TASK_NOT_FOUND: 404,
  TASK_INVALID: 422,
  TASK_CHANGED: 412,
  CURSOR_INVALID: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
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
};

function domainErrorBody(error: DomainError): unknown {
  if (error instanceof TaskInvalidError) {
    return { detail: [{ type: 'value_error', loc: FIELD_LOCATION[error.field], msg: `Value error, ${error.reason}`, input: null }] };
  }
  if (error instanceof InvalidCursorError) {
    return { detail: [{ type: 'value_error', loc: ['query', 'cursor'], msg: 'Value error, the cursor is not valid for this list', input: null }] };
  }
  switch (error.code) {
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

/** Errors raised by Express's body parser and router carry their own 4xx status. */
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Turns every error into the contract's JSON shape. Unexpected errors become a bare 500: the body never
 * carries a stack trace or SQL, the log does.
 */
export function errorHandler(logger: HttpLogger): ErrorRequestHandler {
  const handle = answer(logger);
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    try {
      handle(error, req, res, next);
    } catch (failure) {
      // Never fall through to Express's default handler: it answers in HTML, with a stack trace.
      logger.error({ reqId: req.id, err: failure }, 'error handler failed');
      if (!res.headersSent) sendJson(res, 500, { detail: 'Internal Server Error' });
    }
  };
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

function answer(logger: HttpLogger): ErrorRequestHandler {
  return (error, req, res) => {
    if (error instanceof RequestValidationError) {
      sendJson(res, 422, validationBody(error.issues));
    } else if (error instanceof HttpError) {
      res.status(error.status).set(error.headers).json({ detail: error.detail });
    } else if (error instanceof DomainError) {
      const status = STATUS_BY_CODE[error.code];
      if (status === 503) {
        res.set('Retry-After', String(RETRY_AFTER_SECONDS));
        logger.error({ reqId: req.id, method: req.method, route: routePattern(req), err: error.cause ?? error }, 'database unavailable');
      }
      res.status(status).json(domainErrorBody(error));
    } else if (clientErrorStatus(error) !== undefined) {
      const status = clientErrorStatus(error)!;
      res.status(status).json({ detail: status === 413 ? 'Request body too large' : STATUS_CODES[status] });
    } else {
      logger.error({ reqId: req.id, method: req.method, route: routePattern(req), err: error }, 'unhandled error');
      res.status(500).json({ detail: 'Internal Server Error' });
    }
  };
}
