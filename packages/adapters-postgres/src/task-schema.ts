import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { Task } from '@tasks/domain';

/**
 * Maps the domain's plain `Task` class onto the `tasks` table, so the domain needs no decorators.
 * Column names follow MikroORM's underscore naming (`userId` -> `user_id`).
 */
export const TaskSchema = new EntitySchema<Task>({
  class: Task,
  tableName: 'tasks',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    userId: { type: 'string', fieldName: 'user_id' },
    title: { type: 'string' },
    description: { type: 'text', nullable: true },
    completed: { type: 'boolean' },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
    version: { type: 'integer', version: true },
  },
});
