import { type CreatedTask, IDEMPOTENCY_KEY_MAX_LENGTH } from './task.js';
import { TaskInvalidError } from './task-errors.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidDescription, assertValidTitle, assertValidUserId } from './task-rules.js';

/** Input of `CreateTask`. */
export interface CreateTaskInput {
  readonly userId: string;
  readonly title: string;
  readonly description?: string | null;
  /** The client's Idempotency-Key: a retry with the same key and input creates nothing new. */
  readonly idempotencyKey?: string;
}

/** Adds a new, not yet completed task to a user's list. */
export class CreateTask {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(input: CreateTaskInput): Promise<CreatedTask> {
    const description = input.description ?? null;
    assertValidUserId(input.userId);
    assertValidTitle(input.title);
    assertValidDescription(description);
    const task = { userId: input.userId, title: input.title, description };
    if (input.idempotencyKey === undefined) return { task: await this.tasks.create(task), replayed: false };
    const key = input.idempotencyKey;
    if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || /[^\x21-\x7e]/.test(key)) {
      throw new TaskInvalidError('idempotencyKey', `must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters`, key);
    }
    return this.tasks.createOnce(task, { key, fingerprint: JSON.stringify([task.title, task.description]) });
  }
}
