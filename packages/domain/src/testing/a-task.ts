import type { NewTask } from '../task.js';

let sequence = 0;

/** Builds a valid `NewTask`, unique per call, with any field overridden. */
export function aNewTask(overrides: Partial<NewTask> = {}): NewTask {
  sequence++;
  return { userId: `user-${sequence}`, title: `Task ${sequence}`, description: null, ...overrides };
}
