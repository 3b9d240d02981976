import type { MikroORM } from '@mikro-orm/core';
import {
  type CreatedTask,
  type ExpectedVersions,
  IDEMPOTENCY_KEY_TTL_HOURS,
  IdempotencyKeyReusedError,
  type IdempotentRequest,
  InvalidCursorError,
  type NewTask,
  Task,
  type TaskChanges,
  type TaskListQuery,
  type TaskOrder,
  type TaskPage,
  type TaskRepository,
  TaskChangedError,
} from '@tasks/domain';
import pg from 'pg';
import { type NamedStatement, PooledStatements } from './pooled-statements.js';
import { guardStorage } from './storage-failure.js';

/** A `tasks` row as the statements select it: int8 as text, timestamps as milliseconds since the epoch. */
interface TaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at_ms: number;
  updated_at_ms: number;
  version: number;
}

/** A row recorded for an Idempotency-Key before timestamps were selected as milliseconds. */
interface LegacyTaskRow extends Omit<TaskRow, 'created_at_ms' | 'updated_at_ms'> {
  created_at: string;
  updated_at: string;
}

const parseTimestamp = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (value: string) => Date;

function toTask(row: TaskRow | LegacyTaskRow): Task {
  const legacy = 'created_at' in row;
  return new Task(
    Number(row.id),
    row.user_id,
    row.title,
    row.description,
    row.completed,
    legacy ? parseTimestamp(row.created_at) : new Date(row.created_at_ms),
    legacy ? parseTimestamp(row.updated_at) : new Date(row.updated_at_ms),
    row.version,
  );
}

/**
 * Timestamps travel as float8 milliseconds since the epoch (exact: they are stored at ms precision):
 * cheaper to read than text, and independent of the session's DateStyle and TimeZone. The aliases
 * differ from the column names so that `order by created_at` still means the indexed column.
 */
const epochMilliseconds = (column: string) => `round(extract(epoch from ${column}) * 1000)::float8 as ${column}_ms`;
const COLUMNS = `id, user_id, title, description, completed, ${epochMilliseconds('created_at')}, ${epochMilliseconds('updated_at')}, version`;
// Timestamps are kept at the API's precision (ms), so the order clients see is the order the database
// sorts by. Every modification moves updated_at forward by at least 1 ms, even when two arrive within one
// millisecond or the clock steps back, so clients can rely on it to order versions.
const NOW = "date_trunc('milliseconds', now())";
const MODIFIED_NOW = `greatest(${NOW}, updated_at + interval '1 millisecond')`;

// If-Match: null means "any version"; the check is part of the statement, so it is atomic with the change.
const EXPECTED = (parameter: string) => `(${parameter}::int[] is null or version = any(${parameter}::int[]))`;

/** Every statement filters by user_id: there is no way to read or write a task by id alone. */
const SQL = {
  create: {
    name: 'tasks_create',
    text: `insert into tasks (user_id, title, description, completed, created_at, updated_at)
           values ($1, $2, $3, false, ${NOW}, ${NOW}) returning ${COLUMNS}`,
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
             updated_at = ${MODIFIED_NOW}, version = version + 1
           where id = $1 and user_id = $2 and ${EXPECTED('$9')} returning ${COLUMNS}`,
  },
  delete: {
    name: 'tasks_delete',
    text: `delete from tasks where id = $1 and user_id = $2 and ${EXPECTED('$3')}`,
  },
  // Flips the stored value itself, so concurrent toggles serialise on the row lock and none is lost.
  toggle: {
    name: 'tasks_toggle',
    text: `update tasks set completed = not completed, updated_at = ${MODIFIED_NOW}, version = version + 1
           where id = $1 and user_id = $2 and ${EXPECTED('$3')} returning ${COLUMNS}`,
  },
  // Claims the key: inserts it, or takes over an expired one. Returns a row only to the request that
  // claimed it; a concurrent request with the same key waits here on the row lock until the claimer's
  // transaction ends, then finds the key taken.
  claimKey: {
    name: 'idempotency_claim',
    text: `insert into idempotency_keys (user_id, key, fingerprint, task, expires_at)
           values ($1, $2, $3, 'null', now() + make_interval(hours => $4))
           on conflict (user_id, key) do update
             set fingerprint = excluded.fingerprint, task = 'null', created_at = now(), expires_at = excluded.expires_at
             where idempotency_keys.expires_at <= now()
           returning key`,
  },
  rememberTask: {
    name: 'idempotency_remember',
    text: 'update idempotency_keys set task = $3 where user_id = $1 and key = $2',
  },
  recallKey: {
    name: 'idempotency_recall',
    text: 'select fingerprint, task from idempotency_keys where user_id = $1 and key = $2',
  },
  forgetExpiredKeys: {
    name: 'idempotency_forget_expired',
    text: 'delete from idempotency_keys where expires_at <= now()',
  },
  version: {
    name: 'tasks_version',
    text: 'select version from tasks where id = $1 and user_id = $2',
  },
} satisfies Record<string, NamedStatement>;

const SORT_COLUMN: Record<TaskOrder['field'], string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  // Code-point order, the same on every server whatever its locale, and served by its own index.
  title: 'title collate "C"',
};
const SORT_CAST: Record<TaskOrder['field'], string> = { createdAt: 'timestamptz', updatedAt: 'timestamptz', title: 'text' };
const listStatements = new Map<string, NamedStatement>();

/**
 * The list query for one combination of order, filter, cursor and limit, built once and prepared under
 * its own name. Pages are keyset-based: `(sort value, id)` beyond the last row of the previous page, so
 * no OFFSET scan and no row skipped or repeated while tasks are being created.
 */
export function listStatement(order: TaskOrder, filtered: boolean, after: boolean, limited: boolean): NamedStatement {
  const name = `tasks_list_${order.field}_${order.direction}${filtered ? '_f' : ''}${after ? '_a' : ''}${limited ? '_l' : ''}`;
  let statement = listStatements.get(name);
  if (!statement) {
    const column = SORT_COLUMN[order.field];
    const direction = order.direction === 'asc' ? 'asc' : 'desc';
    const where = ['user_id = $1'];
    let next = 2;
    if (filtered) where.push(`completed = $${next++}`);
    if (after) {
      const cast = SORT_CAST[order.field];
      const value = order.field === 'title' ? `$${next++}::text collate "C"` : `$${next++}::${cast}`;
      where.push(`(${column}, id) ${direction === 'asc' ? '>' : '<'} (${value}, $${next++}::bigint)`);
    }
    const sortKey = order.field === 'title' ? 'title' : `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    statement = {
      name,
      text: `select ${COLUMNS}, ${sortKey} as sort_key from tasks where ${where.join(' and ')}
             order by ${column} ${direction}, id ${direction}${limited ? ` limit $${next}` : ''}`,
    };
    listStatements.set(name, statement);
  }
  return statement;
}

// The cursor carries the sort value in a form this adapter controls: timestamps as ISO-8601 UTC with
// milliseconds (their stored precision), titles as they are.
function encodeCursor(row: TaskRow & { sort_key: string }, order: TaskOrder): string {
  return Buffer.from(JSON.stringify([`${order.field}:${order.direction}`, row.sort_key, Number(row.id)])).toString('base64url');
}

const ISO_MILLISECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The cursor's sort value and id, checked so strictly that PostgreSQL can never refuse them (a 500). */
function decodeCursor(cursor: string, order: TaskOrder): [string, number] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const [key, value, id] = Array.isArray(parsed) ? parsed : [];
  const validValue =
    typeof value === 'string' &&
    (order.field === 'title'
      ? value.isWellFormed() && !value.includes('\u0000') && value.length <= 4 * 200
      : ISO_MILLISECONDS.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value);
  if (key !== `${order.field}:${order.direction}` || !validValue || !Number.isSafeInteger(id) || (id as number) < 1) {
    throw new InvalidCursorError();
  }
  return [value as string, id as number];
}

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

  createOnce(task: NewTask, request: IdempotentRequest): Promise<CreatedTask> {
    return guardStorage(() =>
      this.statements.transaction(async (run) => {
        const claimed = await run(SQL.claimKey, [task.userId, request.key, request.fingerprint, IDEMPOTENCY_KEY_TTL_HOURS]);
        if (claimed.rowCount === 0) {
          const { rows } = await run<{ fingerprint: string; task: TaskRow | LegacyTaskRow }>(SQL.recallKey, [task.userId, request.key]);
          if (rows[0]!.fingerprint !== request.fingerprint) throw new IdempotencyKeyReusedError();
          return { task: toTask(rows[0]!.task), replayed: true };
        }
        const { rows } = await run<TaskRow>(SQL.create, [task.userId, task.title, task.description]);
        await run(SQL.rememberTask, [task.userId, request.key, JSON.stringify(rows[0])]);
        return { task: toTask(rows[0]!), replayed: false };
      }),
    );
  }

  /** Deletes the Idempotency-Keys whose lifetime is over; returns how many. */
  async forgetExpiredIdempotencyKeys(): Promise<number> {
    return guardStorage(async () => (await this.statements.rows(SQL.forgetExpiredKeys, [])).rowCount);
  }

  async list(userId: string, query: TaskListQuery): Promise<TaskPage> {
    const values: unknown[] = [userId];
    if (query.completed !== undefined) values.push(query.completed);
    if (query.after !== undefined) values.push(...decodeCursor(query.after, query.order));
    // One more row than asked tells whether there is a next page, without a count.
    if (query.limit !== undefined) values.push(query.limit + 1);
    const statement = listStatement(query.order, query.completed !== undefined, query.after !== undefined, query.limit !== undefined);
    return guardStorage(async () => {
      const { rows } = await this.statements.rows<TaskRow & { sort_key: string }>(statement, values);
      if (query.limit === undefined || rows.length <= query.limit) return { tasks: rows.map(toTask), nextCursor: null };
      const page = rows.slice(0, query.limit);
      return { tasks: page.map(toTask), nextCursor: encodeCursor(page[page.length - 1]!, query.order) };
    });
  }

  get(userId: string, id: number): Promise<Task | null> {
    return this.one(SQL.get, [id, userId]);
  }

  update(userId: string, id: number, changes: TaskChanges, expected?: ExpectedVersions): Promise<Task | null> {
    return this.changed(userId, id, expected, SQL.update, [
      id,
      userId,
      changes.title !== undefined,
      changes.title ?? null,
      changes.description !== undefined,
      changes.description ?? null,
      changes.completed !== undefined,
      changes.completed ?? null,
      expected ?? null,
    ]);
  }

  delete(userId: string, id: number, expected?: ExpectedVersions): Promise<boolean> {
    return guardStorage(async () => {
      if ((await this.statements.rows(SQL.delete, [id, userId, expected ?? null])).rowCount > 0) return true;
      await this.failUnlessMissing(userId, id, expected);
      return false;
    });
  }

  toggleCompletion(userId: string, id: number, expected?: ExpectedVersions): Promise<Task | null> {
    return this.changed(userId, id, expected, SQL.toggle, [id, userId, expected ?? null]);
  }

  /** Runs a conditional change; when it touched nothing, tells "changed since" from "not there". */
  private async changed(userId: string, id: number, expected: ExpectedVersions, statement: NamedStatement, values: unknown[]) {
    const task = await this.one(statement, values);
    if (!task) await guardStorage(() => this.failUnlessMissing(userId, id, expected));
    return task;
  }

  private async failUnlessMissing(userId: string, id: number, expected: ExpectedVersions): Promise<void> {
    if (!expected) return;
    const { rowCount } = await this.statements.rows(SQL.version, [id, userId]);
    if (rowCount > 0) throw new TaskChangedError(id);
  }

  private one(statement: NamedStatement, values: unknown[]): Promise<Task | null> {
    return guardStorage(async () => {
      const { rows } = await this.statements.rows<TaskRow>(statement, values);
      return rows[0] ? toTask(rows[0]) : null;
    });
  }
}
