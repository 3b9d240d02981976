import { CHANGES_PAGE_MAX, characterCount, LIST_LIMIT_MAX, SEARCH_MAX_LENGTH, searchWords, type TaskListQuery, type TaskOrder } from '@tasks/domain';
import { RequestValidationError, type ValidationIssue } from './validation-error.js';

/** The `sort` values the list accepts, as the API spells them. */
export const SORT_VALUES = ['created_at', '-created_at', 'updated_at', '-updated_at', 'title', '-title'] as const;
export type SortValue = (typeof SORT_VALUES)[number];

const ORDER_BY_SORT: Record<SortValue, TaskOrder> = {
  created_at: { field: 'createdAt', direction: 'asc' },
  '-created_at': { field: 'createdAt', direction: 'desc' },
  updated_at: { field: 'updatedAt', direction: 'asc' },
  '-updated_at': { field: 'updatedAt', direction: 'desc' },
  title: { field: 'title', direction: 'asc' },
  '-title': { field: 'title', direction: 'desc' },
};

/**
 * Reads `completed`, `q`, `sort`, `limit` and `cursor` from the query string, reporting each bad value in
 * FastAPI's shape with `loc: ["query", name]`. Unknown parameters are ignored and a repeated one counts
 * by its last value, as FastAPI does.
 */
export function readListQuery(params: URLSearchParams, issues: ValidationIssue[]): TaskListQuery & { sort: SortValue } {
  let completed: boolean | undefined;
  const completedRaw = lastOf(params, 'completed');
  if (completedRaw !== null) {
    if (completedRaw === 'true' || completedRaw === 'false') completed = completedRaw === 'true';
    else
      issues.push({
        type: 'bool_parsing',
        loc: ['query', 'completed'],
        msg: 'Input should be a valid boolean, unable to interpret input',
        input: completedRaw,
      });
  }

  let sort: SortValue = 'created_at';
  const sortRaw = lastOf(params, 'sort');
  if (sortRaw !== null) {
    if ((SORT_VALUES as readonly string[]).includes(sortRaw)) sort = sortRaw as SortValue;
    else {
      const expected = SORT_VALUES.map((value) => `'${value}'`).join(', ');
      issues.push({ type: 'enum', loc: ['query', 'sort'], msg: `Input should be ${expected}`, input: sortRaw, ctx: { expected } });
    }
  }

  const limit = readLimit(params, LIST_LIMIT_MAX, issues);

  const after = lastOf(params, 'cursor') ?? undefined;
  const words = readSearch(params, issues);
  return {
    sort,
    order: ORDER_BY_SORT[sort],
    ...(completed === undefined ? {} : { completed }),
    ...(words === undefined ? {} : { words }),
    ...(limit === undefined ? {} : { limit }),
    ...(after === undefined ? {} : { after }),
  };
}

/** A query parameter's last value, as FastAPI takes a repeated one; null when absent. */
export function lastOf(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  return values.length === 0 ? null : values[values.length - 1]!;
}

/** Reads `q`, the words to search for: 1 to SEARCH_MAX_LENGTH characters with at least one word. */
function readSearch(params: URLSearchParams, issues: ValidationIssue[]): string[] | undefined {
  const q = lastOf(params, 'q');
  if (q === null) return undefined;
  const length = characterCount(q);
  if (length < 1) {
    issues.push({ type: 'string_too_short', loc: ['query', 'q'], msg: 'String should have at least 1 character', input: q, ctx: { min_length: 1 } });
  } else if (length > SEARCH_MAX_LENGTH) {
    issues.push({
      type: 'string_too_long',
      loc: ['query', 'q'],
      msg: `String should have at most ${SEARCH_MAX_LENGTH} characters`,
      input: q,
      ctx: { max_length: SEARCH_MAX_LENGTH },
    });
  } else if (q.includes('\u0000') || !q.isWellFormed()) {
    issues.push({ type: 'string_pattern_mismatch', loc: ['query', 'q'], msg: 'String should not contain NUL characters or lone surrogates', input: q });
  } else if (searchWords(q).length === 0) {
    issues.push({ type: 'value_error', loc: ['query', 'q'], msg: 'Value error, must contain a word', input: q });
  } else return searchWords(q);
  return undefined;
}

/** Reads `limit` (an integer from 1 to `max`) from the query string; undefined when absent or invalid. */
export function readLimit(params: URLSearchParams, max: number, issues: ValidationIssue[]): number | undefined {
  const limitRaw = lastOf(params, 'limit');
  if (limitRaw === null) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(limitRaw)) {
    issues.push({
      type: 'int_parsing',
      loc: ['query', 'limit'],
      msg: 'Input should be a valid integer, unable to parse string as an integer',
      input: limitRaw,
    });
  } else if (Number(limitRaw) < 1) {
    issues.push({ type: 'greater_than_equal', loc: ['query', 'limit'], msg: 'Input should be greater than or equal to 1', input: limitRaw, ctx: { ge: 1 } });
  } else if (Number(limitRaw) > max) {
    issues.push({ type: 'less_than_equal', loc: ['query', 'limit'], msg: `Input should be less than or equal to ${max}`, input: limitRaw, ctx: { le: max } });
  } else return Number(limitRaw);
  return undefined;
}

/** Reads the change feed's `since` and `limit` from the query string. */
export function readChangesQuery(params: URLSearchParams): { since?: string; limit?: number } {
  const issues: ValidationIssue[] = [];
  const limit = readLimit(params, CHANGES_PAGE_MAX, issues);
  if (issues.length > 0) throw new RequestValidationError(issues);
  // An empty `since` is no token: the feed from its beginning, as without one.
  const since = lastOf(params, 'since') || undefined;
  return { ...(since === undefined ? {} : { since }), ...(limit === undefined ? {} : { limit }) };
}
