import type { Request } from 'express';
import type { z } from 'zod';
import { readJsonBody } from './json-body.js';
import { UserIdParam } from './request-schemas.js';
import { validate } from './validate.js';
import { missingIssue, RequestValidationError, type ValidationIssue } from './validation-error.js';

const INTEGER = /^\s*[+-]?\d+\s*$/;

function readTaskId(raw: string, issues: ValidationIssue[]): number {
  if (INTEGER.test(raw)) return Number(raw);
  issues.push({
    type: 'int_parsing',
    loc: ['path', 'id'],
    msg: 'Input should be a valid integer, unable to parse string as an integer',
    input: raw,
  });
  return Number.NaN;
}

function readUserId(raw: string, issues: ValidationIssue[]): string {
  const result = validate(UserIdParam, raw, 'path');
  if (!result.ok) issues.push(...result.issues.map((issue) => ({ ...issue, loc: ['path', 'user_id'] })));
  return raw;
}

function readBody<S extends z.ZodType>(req: Request, schema: S, issues: ValidationIssue[]): z.infer<S> | undefined {
  const body = readJsonBody(req);
  if (!body.present) {
    issues.push(missingIssue(['body'], null));
    return undefined;
  }
  if ('issue' in body) {
    issues.push(body.issue);
    return undefined;
  }
  // FastAPI treats a JSON null body as no body at all.
  if (body.value === null) {
    issues.push(missingIssue(['body'], null));
    return undefined;
  }
  const result = validate(schema, body.value, 'body');
  if (!result.ok) issues.push(...result.issues);
  return result.ok ? result.value : undefined;
}

/**
 * Reads and validates what a task route needs from the request (path, and body when a schema is given),
 * reporting every fault at once as FastAPI does.
 */
export function readTaskRequest(req: Request): { userId: string };
export function readTaskRequest(req: Request, options: { id: true }): { userId: string; id: number };
export function readTaskRequest<S extends z.ZodType>(req: Request, options: { body: S }): { userId: string; body: z.infer<S> };
export function readTaskRequest<S extends z.ZodType>(
  req: Request,
  options: { id: true; body: S },
): { userId: string; id: number; body: z.infer<S> };
export function readTaskRequest(
  req: Request,
  options: { id?: true; body?: z.ZodType } = {},
): { userId: string; id: number; body: unknown } {
  const issues: ValidationIssue[] = [];
  const params = req.params as Record<string, string>;
  const userId = readUserId(params.userId ?? '', issues);
  const id = options.id ? readTaskId(params.id ?? '', issues) : Number.NaN;
  const body = options.body ? readBody(req, options.body, issues) : undefined;
  if (issues.length > 0) throw new RequestValidationError(issues);
  return { userId, id, body };
}
