/** Stable codes for every failure the domain reports; adapters map them, never the message. */
export type DomainErrorCode =
  | 'TASK_NOT_FOUND'
  | 'TASK_INVALID'
  | 'TASK_CHANGED'
  | 'CURSOR_INVALID'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'TASK_LIMIT_REACHED'
  | 'CHANGE_TOKEN_INVALID'
  | 'CHANGE_TOKEN_EXPIRED'
  | 'STORAGE_UNAVAILABLE';

/** Base of every error the domain throws on purpose. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
