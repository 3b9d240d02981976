import type { ExpectedVersions } from './task.js';
import { TaskNotFoundError } from './task-errors.js';
import { assertPossibleTaskId } from './task-id.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidUserId } from './task-rules.js';

/** Removes a task from a user's list. */
export class DeleteTask {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(userId: string, id: number, expected?: ExpectedVersions): Promise<void> {
    assertValidUserId(userId);
    assertPossibleTaskId(id);
    const deleted = await this.tasks.delete(userId, id, expected);
    if (!deleted) throw new TaskNotFoundError(id);
  }
}
