import { type IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http';
import { DomainError, type DomainErrorCode, InvalidCursorError, TaskInvalidError } from '@tasks/domain';
import type { ErrorRequestHandler } from 'express';
import type { HttpLogger } from './http-logger.js';
import { contextOf, routePattern } from './request-context.js';
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

/** Errors raised by Express's router and the like carry their own 4xx status. */
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Answers a request that failed with `error` in the contract's JSON shape. Unexpected errors become a
 * bare 500: the body never carries a stack trace or SQL, the log does. Never throws.
 */
export function sendError(error: unknown, req: IncomingMessage, res: ServerResponse, logger: HttpLogger): void {
  if (res.headersSent) {
    // Too late for an answer: the client gets a cut-off response, the log says why.
    logger.error({ reqId: contextOf(req)?.id, method: req.method, route: routePattern(req), err: error }, 'error after the response started');
    res.destroy();
    return;
  }
  try {
    answer(error, req, res, logger);
  } catch (failure) {
    logger.error({ reqId: contextOf(req)?.id, err: failure }, 'error handler failed');
    if (!res.headersSent) sendJson(res, 500, { detail: 'Internal Server Error' });
  }
}

/** `sendError` as Express's error middleware: never falls through to Express's HTML error page. */
export function errorHandler(logger: HttpLogger): ErrorRequestHandler {
  // Four parameters, or Express would not take it for an error handler.
  return (error, req, res, _next) => sendError(error, req, res, logger);
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

function answer(error: unknown, req: IncomingMessage, res: ServerResponse, logger: HttpLogger): void {
  if (error instanceof RequestValidationError) {
    sendJson(res, 422, validationBody(error.issues));
  } else if (error instanceof HttpError) {
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    sendJson(res, error.status, { detail: error.detail });
  } else if (error instanceof DomainError) {
    const status = STATUS_BY_CODE[error.code];
    if (status === 503) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      logger.error({ reqId: contextOf(req)?.id, method: req.method, route: routePattern(req), err: error.cause ?? error }, 'database unavailable');
    }
    sendJson(res, status, domainErrorBody(error));
  } else if (clientErrorStatus(error) !== undefined) {
    const status = clientErrorStatus(error)!;
    sendJson(res, status, { detail: status === 413 ? 'Request body too large' : STATUS_CODES[status] });
  } else {
    logger.error({ reqId: contextOf(req)?.id, method: req.method, route: routePattern(req), err: error }, 'unhandled error');
    sendJson(res, 500, { detail: 'Internal Server Error' });
  }
}
