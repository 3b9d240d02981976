import { DESCRIPTION_MAX_LENGTH, type Task, TITLE_MAX_LENGTH, TITLE_MIN_LENGTH, USER_ID_MAX_LENGTH } from '@tasks/domain';
import { z } from 'zod';

/** A task on the wire: snake_case, ISO-8601 UTC timestamps, exactly these fields. */
export const TaskResponseBody = z
  .object({
    id: z.number().int().meta({ example: 1 }),
    user_id: z.string().max(USER_ID_MAX_LENGTH).meta({ example: 'alice' }),
    title: z.string().min(TITLE_MIN_LENGTH).max(TITLE_MAX_LENGTH).meta({ example: 'Buy milk' }),
    description: z.string().max(DESCRIPTION_MAX_LENGTH).nullable().meta({ example: '2 litres' }),
    completed: z.boolean(),
    created_at: z.string().meta({ format: 'date-time', example: '2026-11-28T10:15:00.354Z' }),
    updated_at: z.string().meta({ format: 'date-time', example: '2026-11-28T10:15:00.354Z' }),
  })
  .meta({ id: 'Task', description: 'A task as the API returns it.' });

/** A task on the wire. */
export type TaskResponse = z.infer<typeof TaskResponseBody>;

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
