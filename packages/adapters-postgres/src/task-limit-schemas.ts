import { BigIntType, EntitySchema, type OptionalProps } from '@mikro-orm/core';
import { USER_ID_MAX_LENGTH } from '@tasks/domain';

/**
 * Per user, kept by the `tasks` triggers: how many tasks they have (what the limit is checked against),
 * the number of their last change, and the last change whose tombstones were forgotten.
 */
export interface TaskCount {
  [OptionalProps]?: 'tasks' | 'changes' | 'forgottenThrough';
  userId: string;
  tasks: number;
  changes: number;
  forgottenThrough: number;
}

/** Maps `task_counts`. */
export const TaskCountSchema = new EntitySchema<TaskCount>({
  name: 'TaskCount',
  tableName: 'task_counts',
  properties: {
    userId: { type: 'string', length: USER_ID_MAX_LENGTH, primary: true },
    tasks: { type: 'integer', default: 0 },
    changes: { type: new BigIntType('number'), default: 0 },
    forgottenThrough: { type: new BigIntType('number'), default: 0 },
  },
  checks: [{ name: 'task_counts_not_negative', expression: '"tasks" >= 0' }],
});

/** The store's one row of settings: the most tasks a user may have (0: no limit). */
export interface TaskSettings {
  [OptionalProps]?: 'id' | 'maxTasksPerUser';
  id: boolean;
  maxTasksPerUser: number;
}

/** Maps `task_settings`. */
export const TaskSettingsSchema = new EntitySchema<TaskSettings>({
  name: 'TaskSettings',
  tableName: 'task_settings',
  properties: {
    id: { type: 'boolean', primary: true, default: true },
    maxTasksPerUser: { type: 'integer', default: 0 },
  },
  checks: [
    { name: 'task_settings_one_row', expression: '"id" = true' },
    { name: 'task_settings_max_not_negative', expression: '"max_tasks_per_user" >= 0' },
  ],
});
