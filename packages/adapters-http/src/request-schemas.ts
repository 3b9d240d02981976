import { characterCount, DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, TITLE_MIN_LENGTH, USER_ID_MAX_LENGTH, USER_ID_MIN_LENGTH } from '@tasks/domain';
import { z } from 'zod';

/** Parameters a custom check attaches to its issue, so it can be reported in FastAPI's vocabulary. */
export interface IssueParams {
  readonly type: string;
  readonly msg: string;
  readonly ctx?: Record<string, unknown>;
}

/**
 * A string of `min..max` characters counted as code points (JSON Schema's and Python's meaning), with no
 * NUL character (PostgreSQL cannot store one).
 */
function text(min: number, max: number) {
  return (
    z
      .string()
      .check((check) => {
        const value = check.value;
        const length = characterCount(value);
        const issue = (params: IssueParams) => check.issues.push({ code: 'custom', input: value, params, message: params.msg });
        if (length < min) {
          issue({ type: 'string_too_short', msg: `String should have at least ${min} character${min === 1 ? '' : 's'}`, ctx: { min_length: min } });
        } else if (length > max) {
          issue({ type: 'string_too_long', msg: `String should have at most ${max} character${max === 1 ? '' : 's'}`, ctx: { max_length: max } });
        } else if (!value.isWellFormed()) {
          // A lone surrogate ("\ud800") is no character at all; storing it would silently change it.
          issue({ type: 'string_unicode', msg: 'Input should be a valid string, unable to parse raw data as a unicode string' });
        } else if (value.includes('\u0000')) {
          issue({ type: 'string_pattern_mismatch', msg: 'String should not contain NUL characters' });
        }
      })
      // What the check above refuses besides lengths, for generated clients and validating proxies.
      .meta({ minLength: min, maxLength: max, pattern: '^[^\\u0000]*$' })
  );
}

/** Body of `POST /api/{user_id}/tasks`. Unknown fields are ignored, as FastAPI does. */
export const TaskCreateBody = z
  .object({
    title: text(TITLE_MIN_LENGTH, TITLE_MAX_LENGTH),
    description: text(0, DESCRIPTION_MAX_LENGTH).nullable().optional(),
  })
  .meta({ id: 'TaskCreate' });

/** Body of `PUT /api/{user_id}/tasks/{id}`: every field optional, only those sent change. */
export const TaskUpdateBody = z
  .object({
    title: text(TITLE_MIN_LENGTH, TITLE_MAX_LENGTH).optional(),
    description: text(0, DESCRIPTION_MAX_LENGTH).nullable().optional(),
    completed: z.boolean().optional(),
  })
  .meta({ id: 'TaskUpdate' });

/** The `{user_id}` path segment. */
export const UserIdParam = text(USER_ID_MIN_LENGTH, USER_ID_MAX_LENGTH);

export type TaskCreateBody = z.infer<typeof TaskCreateBody>;
export type TaskUpdateBody = z.infer<typeof TaskUpdateBody>;
