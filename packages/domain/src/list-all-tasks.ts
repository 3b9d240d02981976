import { DEFAULT_TASK_ORDER, type Task, type TaskListQuery } from './task.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidSearch, assertValidUserId } from './task-rules.js';

/**
 * How many tasks one batch of a whole list holds: one statement, one keyset page of the list's index,
 * and a few milliseconds of work between which other users' requests are served.
 */
export const LIST_BATCH_SIZE = 100;

/**
 * Returns all of a user's tasks that match the query, in its order, a batch at a time: a list of any
 * length costs the memory of one batch, and each batch is one short statement on the list's index.
 * Batches are keyset pages, so a task that exists from the first batch to the last appears exactly once.
 */
export class ListAllTasks {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly batchSize = LIST_BATCH_SIZE,
  ) {}

  async *execute(userId: string, query: Omit<TaskListQuery, 'limit' | 'after'> = { order: DEFAULT_TASK_ORDER }): AsyncGenerator<Task[]> {
    assertValidUserId(userId);
    assertValidSearch(query);
    let after: string | undefined;
    do {
      const page = await this.tasks.list(userId, { ...query, limit: this.batchSize, ...(after === undefined ? {} : { after }) });
      if (page.tasks.length > 0) yield page.tasks;
      after = page.nextCursor ?? undefined;
    } while (after !== undefined);
  }
}
