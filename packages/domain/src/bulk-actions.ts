import type { TaskChanges, TaskFilter } from './task.js';
import { TaskInvalidError } from './task-errors.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidDescription, assertValidSearch, assertValidTitle, assertValidUserId } from './task-rules.js';

/**
 * Sets the given fields on every task of a user that matches the filter ("complete all"), as one atomic
 * change; tasks already as asked are left alone. Returns how many tasks changed.
 */
export class UpdateTasks {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(userId: string, filter: TaskFilter, changes: TaskChanges): Promise<number> {
    assertValidUserId(userId);
    assertValidSearch(filter);
    if (changes.title === undefined && changes.description === undefined && changes.completed === undefined) {
      throw new TaskInvalidError('changes', 'must set at least one field');
    }
    if (changes.title !== undefined) assertValidTitle(changes.title);
    if (changes.description !== undefined) assertValidDescription(changes.description);
    return this.tasks.updateMatching(userId, filter, changes);
  }
}

/** Removes every task of a user that matches the filter ("clear completed"), as one atomic change. Returns how many. */
export class DeleteTasks {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(userId: string, filter: TaskFilter): Promise<number> {
    assertValidUserId(userId);
    assertValidSearch(filter);
    return this.tasks.deleteMatching(userId, filter);
  }
}
