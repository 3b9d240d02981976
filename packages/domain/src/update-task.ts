import type { ExpectedVersions, Task, TaskChanges } from './task.js';
import { TaskNotFoundError } from './task-errors.js';
import { assertPossibleTaskId } from './task-id.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidDescription, assertValidTitle, assertValidUserId } from './task-rules.js';

/** Changes the given fields of a task; fields left out keep their value, `updatedAt` always moves. */
export class UpdateTask {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(userId: string, id: number, changes: TaskChanges, expected?: ExpectedVersions): Promise<Task> {
    assertValidUserId(userId);
    assertPossibleTaskId(id);
    if (changes.title !== undefined) assertValidTitle(changes.title);
    if (changes.description !== undefined) assertValidDescription(changes.description);
    const task = await this.tasks.update(userId, id, changes, expected);
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }
}
