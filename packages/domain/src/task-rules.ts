import {
  characterCount,
  DESCRIPTION_MAX_LENGTH,
  SEARCH_MAX_LENGTH,
  type TaskListQuery,
  TITLE_MAX_LENGTH,
  TITLE_MIN_LENGTH,
  USER_ID_MAX_LENGTH,
  USER_ID_MIN_LENGTH,
} from './task.js';
import { TaskInvalidError } from './task-errors.js';

// PostgreSQL cannot store U+0000 in text; rejecting it here keeps it a client error, not a storage one.
const NUL = '\u0000';

function checkText(field: TaskInvalidError['field'], value: string, min: number, max: number): void {
  const length = characterCount(value);
  if (length < min) throw new TaskInvalidError(field, `must have at least ${min} character${min === 1 ? '' : 's'}`);
  if (length > max) throw new TaskInvalidError(field, `must have at most ${max} characters`);
  if (value.includes(NUL)) throw new TaskInvalidError(field, 'must not contain NUL characters');
}

/** Throws `TaskInvalidError` unless the user id is within its limits. */
export function assertValidUserId(userId: string): void {
  checkText('userId', userId, USER_ID_MIN_LENGTH, USER_ID_MAX_LENGTH);
}

/** Throws `TaskInvalidError` unless the title is within its limits. */
export function assertValidTitle(title: string): void {
  checkText('title', title, TITLE_MIN_LENGTH, TITLE_MAX_LENGTH);
}

/** Throws `TaskInvalidError` unless the description is null or within its limits. */
export function assertValidDescription(description: string | null): void {
  if (description !== null) checkText('description', description, 0, DESCRIPTION_MAX_LENGTH);
}

/** Throws `TaskInvalidError` unless a search, when there is one, has words, no NUL and not too many characters. */
export function assertValidSearch(query: Pick<TaskListQuery, 'words'>): void {
  if (query.words === undefined) return;
  if (query.words.length === 0) throw new TaskInvalidError('search', 'must contain a word');
  checkText('search', query.words.join(' '), 1, SEARCH_MAX_LENGTH);
}
