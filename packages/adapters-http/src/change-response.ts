import type { ChangePage, TaskChange } from '@tasks/domain';
import { z } from 'zod';
import { TaskResponseBody, toTaskResponse } from './task-response.js';

/** One entry of the change feed on the wire: a task as it now is, or the id of a task that was deleted. */
export const ChangeResponseBody = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('upsert'), task: TaskResponseBody }).meta({ description: 'A task created or changed: as it is now.' }),
    z
      .object({
        type: z.literal('delete'),
        id: z.number().int().meta({ example: 7 }),
        deleted_at: z.string().meta({ format: 'date-time', example: '2026-11-28T10:15:00.354Z' }),
      })
      .meta({ description: 'A task deleted: forget it.' }),
  ])
  .meta({ id: 'TaskChange', description: 'One entry of the change feed.' });

/** A page of the change feed on the wire. */
export const ChangePageBody = z
  .object({
    changes: z.array(ChangeResponseBody).meta({ description: 'The changes after `since`, in the order they happened; each task once, at its last change.' }),
    next_since: z.string().meta({ description: 'The token to send as `since` next time. Opaque.' }),
    has_more: z.boolean().meta({ description: 'Whether more changes are there already: ask again at once with `next_since`.' }),
  })
  .meta({ id: 'TaskChangePage', description: 'A page of the change feed.' });

export type ChangeResponse = z.infer<typeof ChangeResponseBody>;

export function toChangeResponse(entry: TaskChange): ChangeResponse {
  return entry.kind === 'upsert'
    ? { type: 'upsert', task: toTaskResponse(entry.task) }
    : { type: 'delete', id: entry.taskId, deleted_at: entry.deletedAt.toISOString() };
}

export function toChangePageResponse(page: ChangePage): z.infer<typeof ChangePageBody> {
  return { changes: page.changes.map(toChangeResponse), next_since: page.nextToken, has_more: page.more };
}

/** What a bulk update answers. */
export const TasksUpdatedBody = z
  .object({ updated: z.number().int().meta({ description: 'How many tasks changed (tasks already as asked are not counted).', example: 3 }) })
  .meta({ id: 'TasksUpdated' });

/** What a bulk delete answers. */
export const TasksDeletedBody = z
  .object({ deleted: z.number().int().meta({ description: 'How many tasks were deleted.', example: 2 }) })
  .meta({ id: 'TasksDeleted' });
