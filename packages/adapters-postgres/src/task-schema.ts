import { BigIntType, type EntityClass, EntitySchema, type OptionalProps } from '@mikro-orm/core';
import { DESCRIPTION_MAX_LENGTH, Task, TITLE_MAX_LENGTH, TITLE_MIN_LENGTH, USER_ID_MAX_LENGTH, USER_ID_MIN_LENGTH } from '@tasks/domain';

/** What a search looks in: title and description as one text, as the search index holds it. */
export const SEARCH_TEXT = `"title" || ' ' || coalesce("description", '')`;

/** The database clock at the API's precision (ms): what a new task's timestamps default to. */
export const NOW_MS = "date_trunc('milliseconds'::text, now())";

/**
 * Maps the domain's plain `Task` class onto the `tasks` table, so the domain needs no decorators. The
 * limits are the domain's own constants, and the mapping states the table exactly as the migrations
 * build it (a test holds MikroORM's schema diff of the two to empty).
 */
/** A task as stored: the domain's task, and the number of its last change in its user's feed. */
export interface StoredTask extends Task {
  [OptionalProps]?: 'change';
  change: number;
}

export const TaskSchema = new EntitySchema<StoredTask>({
  // The rows are the domain's tasks; the change number is read by the feed alone, never put on a `Task`.
  class: Task as unknown as EntityClass<StoredTask>,
  tableName: 'tasks',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true, generated: 'by default as identity' },
    userId: { type: 'string', length: USER_ID_MAX_LENGTH, trackChanges: false },
    title: { type: 'string', length: TITLE_MAX_LENGTH, trackChanges: false },
    description: { type: 'text', nullable: true, trackChanges: false },
    completed: { type: 'boolean', default: false, trackChanges: false },
    createdAt: { type: 'datetime', columnType: 'timestamptz', defaultRaw: NOW_MS, trackChanges: false },
    updatedAt: { type: 'datetime', columnType: 'timestamptz', defaultRaw: NOW_MS, trackChanges: false },
    version: { type: 'integer', default: 1, trackChanges: false },
    // Set by the tables' triggers from the user's change counter (see the change-feed migration).
    change: { type: new BigIntType('number'), default: 0, trackChanges: false },
  },
  indexes: [
    // One per list order, each ending in id: every page of a user's list is an index range scan.
    { name: 'tasks_user_id_created_at_id_index', properties: ['userId', 'createdAt', 'id'] },
    { name: 'tasks_user_id_updated_at_id_index', properties: ['userId', 'updatedAt', 'id'] },
    // The change feed reads a user's tasks in change order.
    { name: 'tasks_user_id_change_id_index', properties: ['userId', 'change', 'id'] },
    // Titles sort by code point ("C" collation), the same on every server whatever its locale.
    {
      name: 'tasks_user_id_title_id_index',
      expression: 'create index "tasks_user_id_title_id_index" on "tasks" ("user_id", "title" collate "C", "id")',
    },
    // Search: trigrams of title and description together, and the user id, in one GIN index.
    {
      name: 'tasks_user_id_search_index',
      expression: `create index "tasks_user_id_search_index" on "tasks" using gin ("user_id", ((${SEARCH_TEXT})) gin_trgm_ops)`,
    },
  ],
  checks: [
    { name: 'tasks_title_not_empty', expression: `char_length("title") >= ${TITLE_MIN_LENGTH}` },
    { name: 'tasks_user_id_not_empty', expression: `char_length("user_id") >= ${USER_ID_MIN_LENGTH}` },
    { name: 'tasks_description_length', expression: `char_length("description") <= ${DESCRIPTION_MAX_LENGTH}` },
    { name: 'tasks_updated_after_created', expression: '"updated_at" >= "created_at"' },
  ],
});
