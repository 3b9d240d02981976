import type { ExpectedVersions, Task } from './task.js';
import { TaskNotFoundError } from './task-errors.js';
import { assertPossibleTaskId } from './task-id.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidUserId } from './task-rules.js';

/** Marks an open task completed, or a completed one open again. */
export class ToggleTaskCompletion {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(userId: string, id: number, expected?: ExpectedVersions): Promise<Task> {
    assertValidUserId(userId);
    assertPossibleTaskId(id);
    const task = await this.tasks.toggleCompletion(userId, id, expected);
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }
}
