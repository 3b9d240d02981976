import type { Task } from './task.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidUserId } from './task-rules.js';

/** Returns every task of a user, oldest first. */
export class ListTasks {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(userId: string): Promise<Task[]> {
    assertValidUserId(userId);
    return this.tasks.list(userId);
  }
}
