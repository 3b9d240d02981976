import type { TaskListQuery } from '@tasks/domain';
import type { z } from 'zod';
import { readListQuery } from './list-query.js';
import { UserIdParam } from './request-schemas.js';
import { validate } from './validate.js';
import { missingIssue, RequestValidationError, type ValidationIssue } from './validation-error.js';

// What pydantic accepts as an integer in a string: surrounding spaces, a sign, `_` between digits and a
// zero fraction ("42", " +42 ", "4_2", "42.0").
const INTEGER = /^\s*([+-]?\d+(?:_\d+)*)(?:\.0*)?\s*$/;

function readTaskId(raw: string, issues: ValidationIssue[]): number {
  const integer = INTEGER.exec(raw)?.[1];
  if (integer !== undefined) return Number(integer.replaceAll('_', ''));
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

/** What a task route has read of its request: the path's parameters, and the parsed JSON body when it takes one. */
export interface TaskRouteInput {
  readonly userId: string;
  readonly id?: string;
  /** The JSON body as parsed; undefined when the request had none. */
  readonly body?: unknown;
}

function readBody<S extends z.ZodType>(input: TaskRouteInput, schema: S, issues: ValidationIssue[]): z.infer<S> | undefined {
  // FastAPI treats a JSON null body as no body at all.
  if (input.body === undefined || input.body === null) {
    issues.push(missingIssue(['body'], null));
    return undefined;
  }
  const result = validate(schema, input.body, 'body');
  if (!result.ok) issues.push(...result.issues);
  return result.ok ? result.value : undefined;
}

/**
 * Reads and validates what a task route needs from the request (path, and body when a schema is given),
 * reporting every fault at once as FastAPI does.
 */
export function readTaskRequest(input: TaskRouteInput): { userId: string };
export function readTaskRequest(input: TaskRouteInput, options: { query: URLSearchParams }): { userId: string; query: TaskListQuery };
export function readTaskRequest(input: TaskRouteInput, options: { id: true }): { userId: string; id: number };
export function readTaskRequest<S extends z.ZodType>(input: TaskRouteInput, options: { body: S }): { userId: string; body: z.infer<S> };
export function readTaskRequest<S extends z.ZodType>(input: TaskRouteInput, options: { id: true; body: S }): { userId: string; id: number; body: z.infer<S> };
export function readTaskRequest<S extends z.ZodType>(
  input: TaskRouteInput,
  options: { query: URLSearchParams; body: S },
): { userId: string; query: TaskListQuery; body: z.infer<S> };
export function readTaskRequest(
  input: TaskRouteInput,
  options: { id?: true; body?: z.ZodType; query?: URLSearchParams } = {},
): { userId: string; id: number; body: unknown; query: TaskListQuery } {
  const issues: ValidationIssue[] = [];
  const userId = readUserId(input.userId, issues);
  const id = options.id ? readTaskId(input.id ?? '', issues) : Number.NaN;
  const query = options.query ? readListQuery(options.query, issues) : undefined;
  const body = options.body ? readBody(input, options.body, issues) : undefined;
  if (issues.length > 0) throw new RequestValidationError(issues);
  // Each overload only promises what its options asked for.
  return { userId, id, body, query: query as TaskListQuery };
}
