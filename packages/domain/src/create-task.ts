import type { Task } from './task.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidDescription, assertValidTitle, assertValidUserId } from './task-rules.js';

/** Input of `CreateTask`. */
export interface CreateTaskInput {
  readonly userId: string;
  readonly title: string;
  readonly description?: string | null;
}

/** Adds a new, not yet completed task to a user's list. */
export class CreateTask {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(input: CreateTaskInput): Promise<Task> {
    const description = input.description ?? null;
    assertValidUserId(input.userId);
    assertValidTitle(input.title);
    assertValidDescription(description);
    return this.tasks.create({ userId: input.userId, title: input.title, description });
  }
}
