/** Fewest characters a title may have. */
export const TITLE_MIN_LENGTH = 1;
/** Most characters a title may have. */
export const TITLE_MAX_LENGTH = 200;
/** Most characters a description may have. */
export const DESCRIPTION_MAX_LENGTH = 1000;
/** Fewest characters a user id may have. */
export const USER_ID_MIN_LENGTH = 1;
/**
 * Most characters a user id may have. Identity providers issue ids well below this; the bound keeps a
 * hostile path from producing an index entry PostgreSQL cannot store.
 */
export const USER_ID_MAX_LENGTH = 255;

/**
 * Counts characters as Unicode code points, the way the limits above (and JSON Schema's `maxLength`) mean
 * them: an emoji is one character, not two UTF-16 units.
 */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** Most tasks a user may have unless configured otherwise: a list of this size still streams in seconds. */
export const DEFAULT_MAX_TASKS_PER_USER = 100_000;

/** Most tasks one page of a list may hold. */
export const LIST_LIMIT_MAX = 100;

/** A field a list can be ordered by; ties are always broken by id, in the same direction. */
export type TaskOrderField = 'createdAt' | 'updatedAt' | 'title';

/** How to order a list of tasks. */
export interface TaskOrder {
  readonly field: TaskOrderField;
  readonly direction: 'asc' | 'desc';
}

/** Oldest first: the order of the first plan. */
export const DEFAULT_TASK_ORDER: TaskOrder = { field: 'createdAt', direction: 'asc' };

/** Most characters a search may have. */
export const SEARCH_MAX_LENGTH = 200;

/**
 * The words of a search: what whitespace separates. A task matches when each word appears in its title
 * or its description, ignoring case (accents count).
 */
export const searchWords = (search: string): string[] => search.split(/\s+/u).filter((word) => word !== '');

/** Which of a user's tasks to list, in what order, and how many from where. */
export interface TaskListQuery {
  readonly completed?: boolean;
  /** Only tasks with every one of these words in their title or description, ignoring case. */
  readonly words?: readonly string[];
  readonly order: TaskOrder;
  /** At most this many; absent means all of them. */
  readonly limit?: number;
  /** Continue after the task this opaque cursor (from a previous page) points at. */
  readonly after?: string;
}

/** Which of a user's tasks a bulk action applies to: the list's filters (none: all of them). */
export interface TaskFilter {
  readonly completed?: boolean;
  /** Only tasks with every one of these words in their title or description, ignoring case (as `q`). */
  readonly words?: readonly string[];
}

/** One page of a list, and the cursor of the next page when there is one. */
export interface TaskPage {
  readonly tasks: Task[];
  readonly nextCursor: string | null;
}

/** A user's to-do item, as stored. */
export class Task {
  constructor(
    readonly id: number,
    readonly userId: string,
    readonly title: string,
    readonly description: string | null,
    readonly completed: boolean,
    readonly createdAt: Date,
    readonly updatedAt: Date,
    /** 1 when created, one more with every modification: what an ETag names. */
    readonly version: number = 1,
  ) {}
}

/** Versions a caller expects the task to be at (If-Match); absent means "whatever it is now". */
export type ExpectedVersions = readonly number[] | undefined;

/** What a caller supplies to create a task. */
export interface NewTask {
  readonly userId: string;
  readonly title: string;
  readonly description: string | null;
}

/** How long a create's Idempotency-Key is remembered. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/** Most characters an Idempotency-Key may have. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * A client's key for one create, and what that create asked for: a repeat with the same key and the
 * same request gets the original task back instead of a second one.
 */
export interface IdempotentRequest {
  readonly key: string;
  /** The request in a canonical form, to tell a retry from a different request under the same key. */
  readonly fingerprint: string;
}

/** A created task, and whether it was created now or by an earlier request with the same key. */
export interface CreatedTask {
  readonly task: Task;
  readonly replayed: boolean;
}

/** The fields an update may change; an absent field stays as it is. */
export interface TaskChanges {
  readonly title?: string;
  readonly description?: string | null;
  readonly completed?: boolean;
}
