import { DEFAULT_TASK_ORDER, LIST_LIMIT_MAX, type TaskListQuery, type TaskPage } from './task.js';
import { TaskInvalidError } from './task-errors.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidSearch, assertValidUserId } from './task-rules.js';

/** Returns a user's tasks: all of them oldest first by default, or filtered, ordered and paged. */
export class ListTasks {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(userId: string, query: TaskListQuery = { order: DEFAULT_TASK_ORDER }): Promise<TaskPage> {
    assertValidUserId(userId);
    if (query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit >= 1 && query.limit <= LIST_LIMIT_MAX)) {
      throw new TaskInvalidError('limit', `must be an integer from 1 to ${LIST_LIMIT_MAX}`);
    }
    assertValidSearch(query);
    return this.tasks.list(userId, query);
  }
}
