import type { MikroORM } from '@mikro-orm/core';
import { type NewTask, Task, type TaskChanges, type TaskRepository } from '@tasks/domain';
import pg from 'pg';
import { type NamedStatement, PooledStatements } from './pooled-statements.js';
import { guardStorage } from './storage-failure.js';

/** A `tasks` row as the driver returns it on MikroORM's connections (int8 and timestamptz as text). */
interface TaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

const parseTimestamp = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (value: string) => Date;

function toTask(row: TaskRow): Task {
  return new Task(
    Number(row.id),
    row.user_id,
    row.title,
    row.description,
    row.completed,
    parseTimestamp(row.created_at),
    parseTimestamp(row.updated_at),
  );
}

const COLUMNS = 'id, user_id, title, description, completed, created_at, updated_at';
// Every modification moves updated_at forward by at least the wire's precision (1 ms), even when two
// arrive within one millisecond or the clock steps back, so clients can rely on it to order versions.
const MODIFIED_NOW = "greatest(now(), updated_at + interval '1 millisecond')";

/** Every statement filters by user_id: there is no way to read or write a task by id alone. */
const SQL = {
  create: {
    name: 'tasks_create',
    text: `insert into tasks (user_id, title, description, completed, created_at, updated_at)
           values ($1, $2, $3, false, now(), now()) returning ${COLUMNS}`,
  },
  list: {
    name: 'tasks_list',
    text: `select ${COLUMNS} from tasks where user_id = $1 order by created_at, id`,
  },
  get: {
    name: 'tasks_get',
    text: `select ${COLUMNS} from tasks where id = $1 and user_id = $2`,
  },
  // One statement for any subset of fields: a flag per field says whether to take the new value.
  update: {
    name: 'tasks_update',
    text: `update tasks set
             title = case when $3::boolean then $4 else title end,
             description = case when $5::boolean then $6 else description end,
             completed = case when $7::boolean then $8::boolean else completed end,
             updated_at = ${MODIFIED_NOW}
           where id = $1 and user_id = $2 returning ${COLUMNS}`,
  },
  delete: {
    name: 'tasks_delete',
    text: 'delete from tasks where id = $1 and user_id = $2',
  },
  // Flips the stored value itself, so concurrent toggles serialise on the row lock and none is lost.
  toggle: {
    name: 'tasks_toggle',
    text: `update tasks set completed = not completed, updated_at = ${MODIFIED_NOW}
           where id = $1 and user_id = $2 returning ${COLUMNS}`,
  },
} satisfies Record<string, NamedStatement>;

/**
 * `TaskRepository` on PostgreSQL. MikroORM owns the mapping (`TaskSchema`), the migrations and the pool;
 * the six hot operations are single prepared statements on that pool: each is one round trip, and every
 * write returns its row with `RETURNING`, so a change and its result are one atomic step.
 */
export class MikroOrmTaskRepository implements TaskRepository {
  private readonly statements: PooledStatements;

  constructor(orm: MikroORM) {
    this.statements = new PooledStatements(orm);
  }

  create(task: NewTask): Promise<Task> {
    return this.one(SQL.create, [task.userId, task.title, task.description]) as Promise<Task>;
  }

  list(userId: string): Promise<Task[]> {
    return guardStorage(async () => (await this.statements.rows<TaskRow>(SQL.list, [userId])).rows.map(toTask));
  }

  get(userId: string, id: number): Promise<Task | null> {
    return this.one(SQL.get, [id, userId]);
  }

  update(userId: string, id: number, changes: TaskChanges): Promise<Task | null> {
    return this.one(SQL.update, [
      id,
      userId,
      changes.title !== undefined,
      changes.title ?? null,
      changes.description !== undefined,
      changes.description ?? null,
      changes.completed !== undefined,
      changes.completed ?? null,
    ]);
  }

  delete(userId: string, id: number): Promise<boolean> {
    return guardStorage(async () => (await this.statements.rows(SQL.delete, [id, userId])).rowCount > 0);
  }

  toggleCompletion(userId: string, id: number): Promise<Task | null> {
    return this.one(SQL.toggle, [id, userId]);
  }

  private one(statement: NamedStatement, values: unknown[]): Promise<Task | null> {
    return guardStorage(async () => {
      const { rows } = await this.statements.rows<TaskRow>(statement, values);
      return rows[0] ? toTask(rows[0]) : null;
    });
  }
}
