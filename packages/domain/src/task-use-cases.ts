import { CreateTask } from './create-task.js';
import { DeleteTask } from './delete-task.js';
import { GetTask } from './get-task.js';
import { ListAllTasks } from './list-all-tasks.js';
import { ListTasks } from './list-tasks.js';
import type { TaskRepository } from './task-repository.js';
import { ToggleTaskCompletion } from './toggle-task-completion.js';
import { UpdateTask } from './update-task.js';

/** The use cases an adapter drives, as one value. */
export interface TaskUseCases {
  readonly createTask: CreateTask;
  readonly listTasks: ListTasks;
  readonly listAllTasks: ListAllTasks;
  readonly getTask: GetTask;
  readonly updateTask: UpdateTask;
  readonly deleteTask: DeleteTask;
  readonly toggleTaskCompletion: ToggleTaskCompletion;
}

/** Builds every use case on one repository; for tests and for callers without a container. */
export function taskUseCasesOn(tasks: TaskRepository): TaskUseCases {
  return {
    createTask: new CreateTask(tasks),
    listTasks: new ListTasks(tasks),
    listAllTasks: new ListAllTasks(tasks),
    getTask: new GetTask(tasks),
    updateTask: new UpdateTask(tasks),
    deleteTask: new DeleteTask(tasks),
    toggleTaskCompletion: new ToggleTaskCompletion(tasks),
  };
}
