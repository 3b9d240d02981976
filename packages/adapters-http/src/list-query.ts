import { CHANGES_PAGE_MAX, LIST_LIMIT_MAX, type TaskListQuery, type TaskOrder } from '@tasks/domain';
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
 * Reads `completed`, `sort`, `limit` and `cursor` from the query string, reporting each bad value in
 * FastAPI's shape with `loc: ["query", name]`. Unknown parameters are ignored, as FastAPI does.
 */
export function readListQuery(params: URLSearchParams, issues: ValidationIssue[]): TaskListQuery & { sort: SortValue } {
  let completed: boolean | undefined;
  const completedRaw = params.get('completed');
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
  const sortRaw = params.get('sort');
  if (sortRaw !== null) {
    if ((SORT_VALUES as readonly string[]).includes(sortRaw)) sort = sortRaw as SortValue;
    else {
      const expected = SORT_VALUES.map((value) => `'${value}'`).join(', ');
      issues.push({ type: 'enum', loc: ['query', 'sort'], msg: `Input should be ${expected}`, input: sortRaw, ctx: { expected } });
    }
  }

  const limit = readLimit(params, LIST_LIMIT_MAX, issues);

  const after = params.get('cursor') ?? undefined;
  return {
    sort,
    order: ORDER_BY_SORT[sort],
    ...(completed === undefined ? {} : { completed }),
    ...(limit === undefined ? {} : { limit }),
    ...(after === undefined ? {} : { after }),
  };
}

/** Reads `limit` (an integer from 1 to `max`) from the query string; undefined when absent or invalid. */
export function readLimit(params: URLSearchParams, max: number, issues: ValidationIssue[]): number | undefined {
  const limitRaw = params.get('limit');
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
  const since = params.get('since') || undefined;
  return { ...(since === undefined ? {} : { since }), ...(limit === undefined ? {} : { limit }) };
}
