import type { z } from 'zod';
import type { IssueParams } from './request-schemas.js';
import { missingIssue, type ValidationIssue } from './validation-error.js';

type Location = 'body' | 'path' | 'query';

const TYPE_NAMES: Record<string, { type: string; msg: string }> = {
  string: { type: 'string_type', msg: 'Input should be a valid string' },
  boolean: { type: 'bool_type', msg: 'Input should be a valid boolean' },
  number: { type: 'float_type', msg: 'Input should be a valid number' },
  int: { type: 'int_type', msg: 'Input should be a valid integer' },
  object: { type: 'model_attributes_type', msg: 'Input should be a valid dictionary or object to extract fields from' },
};

function valueAt(data: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) {
      return { found: false, value: undefined };
    }
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: current };
}

/** Translates one zod issue into FastAPI's (pydantic's) vocabulary. */
function toValidationIssue(issue: z.core.$ZodIssue, data: unknown, location: Location): ValidationIssue {
  const loc = [location, ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))];
  const at = valueAt(data, issue.path);
  if (!at.found) return missingIssue(loc, valueAt(data, issue.path.slice(0, -1)).value ?? null);
  if (issue.code === 'custom' && issue.params) {
    const params = issue.params as IssueParams;
    return { type: params.type, loc, msg: params.msg, input: at.value, ...(params.ctx ? { ctx: params.ctx } : {}) };
  }
  if (issue.code === 'invalid_type') {
    const known = TYPE_NAMES[issue.expected];
    if (known) return { ...known, loc, input: at.value };
  }
  return { type: 'value_error', loc, msg: issue.message, input: at.value };
}

/** Parses `data` with `schema`; on failure returns one FastAPI-shaped issue per fault. */
export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  location: Location,
): { ok: true; value: z.infer<S> } | { ok: false; issues: ValidationIssue[] } {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => toValidationIssue(issue, data, location)) };
}
