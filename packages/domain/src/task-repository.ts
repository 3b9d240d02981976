import type { ChangeBatch, FeedPosition } from './change-feed.js';
import type { CreatedTask, ExpectedVersions, IdempotentRequest, NewTask, Task, TaskChanges, TaskFilter, TaskListQuery, TaskPage } from './task.js';

/** Where a user's feed stands: its last change, and the last whose deletions are forgotten (0 for both when none). */
export interface FeedHead {
  readonly latest: number;
  readonly forgottenThrough: number;
}

/**
 * Where tasks are kept. Every method is scoped by `userId`: a task of another user behaves exactly like
 * a task that does not exist. Implementations set `createdAt`/`updatedAt` themselves and throw
 * `StorageUnavailableError` when the store cannot be reached.
 */
export interface TaskRepository {
  // Every change increments the task's `version`. A change given `expected` versions applies only if the
  // task is at one of them, checked in the same atomic step; otherwise it throws `TaskChangedError`
  // (or resolves null/false when there is no such task at all).

  /**
   * Stores a new, not completed task and returns it with its id and timestamps; throws
   * `TaskLimitReachedError` when the user has the most tasks a user may have, checked in the same atomic
   * step (concurrent creates never slip past the limit).
   */
  create(task: NewTask): Promise<Task>;
  /**
   * Like `create`, once per key and user: while the key lives (IDEMPOTENCY_KEY_TTL_HOURS), a repeat of the
   * same request returns the task the first one created, even when both arrive at once or on different
   * instances; the same key with another fingerprint throws `IdempotencyKeyReusedError`.
   */
  createOnce(task: NewTask, request: IdempotentRequest): Promise<CreatedTask>;
  /**
   * Deletes the Idempotency-Keys whose lifetime is over and returns how many; `createOnce` already ignores
   * them, so this only keeps the store small. Meant to run now and then, not per request.
   */
  forgetExpiredIdempotencyKeys(): Promise<number>;
  /**
   * From now on a user may have at most `max` tasks (0: no limit), for every instance using this store.
   * Tasks a user has beyond a lowered limit stay; only new ones are refused.
   */
  limitTasksPerUser(max: number): Promise<void>;
  /**
   * The user's tasks that match the query, in its order (ties broken by id). With a limit, a page and
   * the cursor of the next one (keyset: stable while tasks are created); throws `InvalidCursorError`
   * for a cursor it did not issue for this order.
   */
  list(userId: string, query: TaskListQuery): Promise<TaskPage>;
  /** The task, or null when the user has no task with this id. */
  get(userId: string, id: number): Promise<Task | null>;
  /**
   * Applies the changes and moves `updatedAt` forward (by at least 1 ms) in one atomic step; null when
   * there is no such task.
   */
  update(userId: string, id: number, changes: TaskChanges, expected?: ExpectedVersions): Promise<Task | null>;
  /** Removes the task; false when there was no such task. */
  delete(userId: string, id: number, expected?: ExpectedVersions): Promise<boolean>;
  /** Flips `completed` in one atomic step, so concurrent toggles never cancel out; null when missing. */
  toggleCompletion(userId: string, id: number, expected?: ExpectedVersions): Promise<Task | null>;

  /**
   * Applies the changes to every task of the user that matches the filter and is not already as asked,
   * as one atomic change of the feed; returns how many tasks changed.
   */
  updateMatching(userId: string, filter: TaskFilter, changes: TaskChanges): Promise<number>;
  /** Removes every task of the user that matches the filter, as one atomic change of the feed; returns how many. */
  deleteMatching(userId: string, filter: TaskFilter): Promise<number>;

  // The change feed. Every write above is a change, numbered per user in the order the writes commit,
  // whichever instance made them; a deletion leaves a tombstone with its number.

  /**
   * Up to `limit` entries of the user's feed after `after`, in order, read in one snapshot: each task
   * changed since, as it is now (once, at its last change), and each task deleted since.
   */
  changes(userId: string, after: FeedPosition, limit: number): Promise<ChangeBatch>;
  /** Where the feeds of these users stand, by user; a user who never had a task is absent. */
  feedHeads(userIds: readonly string[]): Promise<Map<string, FeedHead>>;
  /**
   * Forgets the tombstones of tasks deleted more than `days` days ago; returns how many. An adapter that
   * works in steps stops between them once `signal` is aborted (at shutdown), leaving the rest for later.
   */
  forgetDeletions(days: number, signal?: AbortSignal): Promise<number>;
}
