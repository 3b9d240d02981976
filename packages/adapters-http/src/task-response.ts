import type { Task } from '@tasks/domain';

/** A task on the wire: snake_case, ISO-8601 UTC timestamps, exactly these fields. */
export interface TaskResponse {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

/** Picks the fields that go out, so nothing else of a stored task can leak into a response. */
export function toTaskResponse(task: Task): TaskResponse {
  return {
    id: task.id,
    user_id: task.userId,
    title: task.title,
    description: task.description,
    completed: task.completed,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
  };
}
