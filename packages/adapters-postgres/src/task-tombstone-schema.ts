import { BigIntType, EntitySchema, type OptionalProps } from '@mikro-orm/core';
import { USER_ID_MAX_LENGTH } from '@tasks/domain';

/** A deleted task, remembered for the change feed until the retention is over. */
export interface TaskTombstone {
  [OptionalProps]?: 'deletedAt';
  userId: string;
  change: number;
  taskId: number;
  deletedAt: Date;
}

/** Maps `task_tombstones`, written by the `tasks` delete trigger. */
export const TaskTombstoneSchema = new EntitySchema<TaskTombstone>({
  name: 'TaskTombstone',
  tableName: 'task_tombstones',
  properties: {
    userId: { type: 'string', length: USER_ID_MAX_LENGTH, primary: true },
    change: { type: new BigIntType('number'), primary: true },
    taskId: { type: new BigIntType('number'), primary: true },
    deletedAt: { type: 'datetime', columnType: 'timestamptz', defaultRaw: "date_trunc('milliseconds'::text, now())" },
  },
  indexes: [{ name: 'task_tombstones_deleted_at_index', properties: ['deletedAt'] }],
});
