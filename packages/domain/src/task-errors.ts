import { DomainError } from './domain-error.js';

/** The task with this id does not exist for this user (or belongs to another one: the two look the same). */
export class TaskNotFoundError extends DomainError {
  constructor(readonly taskId: number) {
    super('TASK_NOT_FOUND', `Task ${taskId} not found`);
  }
}

/** A field of a task breaks one of the limits in `task.ts`. */
export class TaskInvalidError extends DomainError {
  constructor(
    readonly field: 'title' | 'description' | 'userId' | 'limit' | 'idempotencyKey' | 'changes' | 'search',
    readonly reason: string,
    /** The offending value, when it is safe to echo (a header the client sent); never a stored text. */
    readonly input: unknown = null,
  ) {
    super('TASK_INVALID', `${field} ${reason}`);
  }
}

/** The task store cannot be reached now; retrying later may succeed. */
export class StorageUnavailableError extends DomainError {
  constructor(cause?: unknown) {
    super('STORAGE_UNAVAILABLE', 'Task storage is unavailable', { cause });
  }
}

/** A list cursor that this store did not issue, or issued for another order. */
export class InvalidCursorError extends DomainError {
  constructor() {
    super('CURSOR_INVALID', 'The cursor is not valid for this list');
  }
}

/** The task exists but is no longer at any version the caller expected: it changed since they read it. */
export class TaskChangedError extends DomainError {
  constructor(readonly taskId: number) {
    super('TASK_CHANGED', `Task ${taskId} has changed since it was read`);
  }
}

/** An Idempotency-Key that the user already used, within its lifetime, for a different request. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request');
  }
}

/** The user already has as many tasks as a user may have; deleting one makes room. */
export class TaskLimitReachedError extends DomainError {
  constructor(readonly limit: number) {
    super('TASK_LIMIT_REACHED', `A user may have at most ${limit} tasks`);
  }
}

/** A change-feed token that this service did not issue, or issued for another user. */
export class InvalidChangeTokenError extends DomainError {
  constructor() {
    super('CHANGE_TOKEN_INVALID', 'The token is not a change-feed token of this user');
  }
}

/**
 * A change-feed token older than the feed remembers deletions: following it could miss one, so the client
 * must read the whole list again and start over from the feed's beginning.
 */
export class ChangeTokenExpiredError extends DomainError {
  constructor(readonly retentionDays: number) {
    super(
      'CHANGE_TOKEN_EXPIRED',
      `The token is older than the ${retentionDays} days the feed keeps deletions: read the whole list again, then follow the feed from its beginning`,
    );
  }
}
