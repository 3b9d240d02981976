import { TaskNotFoundError } from './task-errors.js';

/** Ids are positive integers; any other number names no task, so it is a "not found", never a crash. */
export function assertPossibleTaskId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 1) throw new TaskNotFoundError(id);
}
