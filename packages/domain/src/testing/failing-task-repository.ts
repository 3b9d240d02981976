import type { TaskRepository } from '../task-repository.js';

/** A `TaskRepository` whose every operation rejects with `error`: a store that is down, or broken. */
export function failingTaskRepository(error: unknown): TaskRepository {
  const fail = async (): Promise<never> => {
    throw error;
  };
  return {
    create: fail,
    createOnce: fail,
    forgetExpiredIdempotencyKeys: fail,
    limitTasksPerUser: fail,
    list: fail,
    get: fail,
    update: fail,
    delete: fail,
    toggleCompletion: fail,
    updateMatching: fail,
    deleteMatching: fail,
    changes: fail,
    feedHeads: fail,
    forgetDeletions: fail,
  };
}
