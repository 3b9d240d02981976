import { DeleteTasks, UpdateTasks } from './bulk-actions.js';
import { ChangeWatcher } from './change-watcher.js';
import type { Clock } from './clock.js';
import { CreateTask } from './create-task.js';
import { DeleteTask } from './delete-task.js';
import { GetTask } from './get-task.js';
import { ListAllTasks } from './list-all-tasks.js';
import { ListTasks } from './list-tasks.js';
import { ReadChanges } from './read-changes.js';
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
  readonly updateTasks: UpdateTasks;
  readonly deleteTasks: DeleteTasks;
  readonly readChanges: ReadChanges;
  /** Tells live streams when a user's feed moves; polls only while someone watches. */
  readonly changeWatcher: ChangeWatcher;
}

/** How the use cases are set up; every field has a default. */
export interface TaskUseCaseOptions {
  readonly changesRetentionDays?: number;
  readonly changesPollMs?: number;
  readonly clock?: Clock;
  /** Told when the change watcher could not check the feeds it watches (it tries again next interval). */
  readonly onWatchError?: (error: unknown) => void;
}

/** Builds every use case on one repository; for tests and for callers without a container. */
export function taskUseCasesOn(tasks: TaskRepository, options: TaskUseCaseOptions = {}): TaskUseCases {
  return {
    createTask: new CreateTask(tasks),
    listTasks: new ListTasks(tasks),
    listAllTasks: new ListAllTasks(tasks),
    getTask: new GetTask(tasks),
    updateTask: new UpdateTask(tasks),
    deleteTask: new DeleteTask(tasks),
    toggleTaskCompletion: new ToggleTaskCompletion(tasks),
    updateTasks: new UpdateTasks(tasks),
    deleteTasks: new DeleteTasks(tasks),
    readChanges: new ReadChanges(tasks, options.changesRetentionDays, options.clock),
    changeWatcher: new ChangeWatcher(tasks, options.changesPollMs, options.onWatchError),
  };
}
