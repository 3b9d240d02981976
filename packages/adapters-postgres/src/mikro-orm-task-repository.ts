import { type EntityData, IsolationLevel, LockMode, raw, type TransactionOptions } from '@mikro-orm/core';
import type { EntityManager, InsertQueryBuilder, QueryBuilder, UpdateQueryBuilder } from '@mikro-orm/postgresql';
import {
  type ChangeBatch,
  type CreatedTask,
  type ExpectedVersions,
  type FeedHead,
  type FeedPosition,
  IDEMPOTENCY_KEY_TTL_HOURS,
  IdempotencyKeyReusedError,
  type IdempotentRequest,
  InvalidCursorError,
  type NewTask,
  positionOf,
  Task,
  type TaskChange,
  TaskChangedError,
  type TaskChanges,
  type TaskFilter,
  TaskLimitReachedError,
  type TaskListQuery,
  type TaskOrder,
  type TaskPage,
  type TaskRepository,
  TITLE_MAX_LENGTH,
} from '@tasks/domain';
import { IdempotencyKeySchema, type RememberedTask } from './idempotency-key-schema.js';
import { guardStorage } from './storage-failure.js';
import { TaskCountSchema, TaskSettingsSchema } from './task-limit-schemas.js';
import { NOW_MS, SEARCH_TEXT, type StoredTask, TaskSchema } from './task-schema.js';
import { TaskTombstoneSchema } from './task-tombstone-schema.js';

// Every modification moves updated_at forward by at least 1 ms, at the API's precision, even when two
// arrive within one millisecond or the clock steps back, so clients can rely on it to order versions.
const MODIFIED_NOW = "greatest(date_trunc('milliseconds', now()), updated_at + interval '1 millisecond')";

/** The sort column of each order, as SQL: titles in code-point order, served by their own index. */
const SORT_COLUMN: Record<TaskOrder['field'], string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  title: 'title collate "C"',
};
/** How a cursor's sort value is cast, so it compares with the column exactly as the index orders it. */
const SORT_VALUE: Record<TaskOrder['field'], string> = {
  createdAt: '?::timestamptz',
  updatedAt: '?::timestamptz',
  title: '?::text collate "C"',
};

/** The sort value of a task in a cursor: ISO-8601 UTC with milliseconds (the stored precision), or the title. */
const sortValue = (task: Task, order: TaskOrder) => (order.field === 'title' ? task.title : task[order.field].toISOString());

function encodeCursor(task: Task, order: TaskOrder): string {
  return Buffer.from(JSON.stringify([`${order.field}:${order.direction}`, sortValue(task, order), task.id])).toString('base64url');
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
      ? value.isWellFormed() && !value.includes('\u0000') && [...value].length <= TITLE_MAX_LENGTH
      : ISO_MILLISECONDS.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value);
  if (key !== `${order.field}:${order.direction}` || !validValue || !Number.isSafeInteger(id) || (id as number) < 1) {
    throw new InvalidCursorError();
  }
  return [value as string, id as number];
}

/**
 * Tasks from rows that MikroORM mapped (columns to properties, PostgreSQL's dates and booleans to
 * JavaScript's), the id converted by the mapping's bigint type, built by the domain's constructor. Not
 * through the entity factory: nothing is flushed, so nothing needs its tracking, and skipping it makes a
 * streamed list about 30 % cheaper in CPU.
 */
function toTasks(em: EntityManager, rows: EntityData<StoredTask>[]): Task[] {
  const number = bigintOf(em);
  return rows.map(
    (row) =>
      new Task(number(row.id), row.userId!, row.title!, row.description ?? null, row.completed!, row.createdAt as Date, row.updatedAt as Date, row.version!),
  );
}

/** Each word anywhere in title or description, ignoring case; `%`, `_` and `\` in a word are only themselves. */
function matchWords(qb: QueryBuilder<StoredTask>, words: readonly string[] | undefined): void {
  for (const word of words ?? []) qb.andWhere(`(${SEARCH_TEXT}) ilike ?`, [`%${word.replace(/[\\%_]/g, '\\$&')}%`]);
}

/** PostgreSQL's bigint (which pg reads as a string) as a number, by MikroORM's type for it (ids and change numbers alike). */
function bigintOf(em: EntityManager): (value: unknown) => number {
  const type = em.getMetadata().get<StoredTask>(Task.name).properties.id.customType!;
  const platform = em.getPlatform();
  return (value) => type.convertToJSValue(value, platform) as number;
}

/** The check violation the tasks' insert trigger raises when a user is at the limit; its detail is the limit. */
const LIMIT_CONSTRAINT = 'tasks_per_user_limit';
/** Tombstones forgotten per transaction: a batch holds the counter rows of the users it forgets for. */
const FORGET_BATCH = 5_000;
/** The advisory lock that lets one instance at a time forget tombstones (any fixed number, the same everywhere). */
const FORGET_LOCK_KEY = 7_264_115_002;

/** The domain's error for a create refused by the limit of tasks per user; any other error as it was. */
function limitReached(error: unknown): unknown {
  const failure = error as { constraint?: unknown; detail?: unknown } | null;
  return failure?.constraint === LIMIT_CONSTRAINT ? new TaskLimitReachedError(Number(failure.detail)) : error;
}

/** A task as an Idempotency-Key keeps it, and back. */
const remember = (task: Task): RememberedTask => ({
  ...task,
  createdAt: task.createdAt.toISOString(),
  updatedAt: task.updatedAt.toISOString(),
});
const recall = (task: RememberedTask): Task =>
  new Task(task.id, task.userId, task.title, task.description, task.completed, new Date(task.createdAt), new Date(task.updatedAt), task.version);

/**
 * `TaskRepository` on PostgreSQL through MikroORM: `TaskSchema` maps the rows, and every operation is one
 * QueryBuilder statement on a fork of the EntityManager (no unit of work to flush, no identity map kept
 * between requests). Every statement filters by `user_id`; writes return their row with `RETURNING`, so
 * a change and its result are one atomic step, and an `If-Match` version is checked inside it.
 */
export class MikroOrmTaskRepository implements TaskRepository {
  constructor(private readonly em: EntityManager) {}

  create(task: NewTask): Promise<Task> {
    return guardStorage(() => this.insert(this.em.fork(), task));
  }

  limitTasksPerUser(max: number): Promise<void> {
    return guardStorage(async () => {
      await this.em.fork().createQueryBuilder(TaskSettingsSchema).update({ maxTasksPerUser: max }).where({ id: true }).execute('run');
    });
  }

  createOnce(task: NewTask, request: IdempotentRequest): Promise<CreatedTask> {
    return guardStorage(async () => {
      const em = this.em.fork();
      await em.begin();
      try {
        const created = await this.insert(em, task);
        // Claims the key, or takes over an expired one. A concurrent request with the same key waits on
        // the key's row lock until this transaction ends, then finds the key taken and rolls back.
        const claimed = await em
          .createQueryBuilder(IdempotencyKeySchema)
          .insert({
            userId: task.userId,
            key: request.key,
            fingerprint: request.fingerprint,
            task: remember(created),
            // The expiry comes from the database clock, as every other timestamp does.
            expiresAt: raw(`now() + make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS})`),
          })
          .onConflict(['userId', 'key'])
          .merge(['fingerprint', 'task', 'createdAt', 'expiresAt'])
          // Only an expired key may be taken over; now() is the database clock.
          .where({ expiresAt: { $lte: raw('now()') } })
          .returning(['key'])
          .execute('all');
        if (claimed.length > 0) {
          await em.commit();
          return { task: created, replayed: false };
        }
        const existing = await em
          .createQueryBuilder(IdempotencyKeySchema)
          .select(['fingerprint', 'task'])
          .where({ userId: task.userId, key: request.key })
          .execute('get');
        await em.rollback();
        if (existing.fingerprint !== request.fingerprint) throw new IdempotencyKeyReusedError();
        return { task: recall(existing.task), replayed: true };
      } catch (error) {
        if (em.isInTransaction()) await em.rollback().catch(() => {});
        throw error;
      }
    });
  }

  forgetExpiredIdempotencyKeys(): Promise<number> {
    return guardStorage(async () => {
      const result = await this.em
        .fork()
        .createQueryBuilder(IdempotencyKeySchema)
        .delete({ expiresAt: { $lte: raw('now()') } })
        .execute('run');
      return result.affectedRows;
    });
  }

  list(userId: string, query: TaskListQuery): Promise<TaskPage> {
    const { order, limit } = query;
    return guardStorage(async () => {
      const after = query.after === undefined ? undefined : decodeCursor(query.after, order);
      const em = this.em.fork();
      const qb = em.createQueryBuilder(TaskSchema).select('*').where({ userId });
      if (query.completed !== undefined) qb.andWhere({ completed: query.completed });
      matchWords(qb, query.words);
      const column = SORT_COLUMN[order.field];
      const direction = order.direction;
      if (after) {
        // A row-value comparison: one range condition on the (user_id, sort column, id) index, so a page
        // is an index range scan however deep in the list it starts.
        qb.andWhere(`(${column}, id) ${direction === 'asc' ? '>' : '<'} (${SORT_VALUE[order.field]}, ?)`, after);
      }
      qb.orderBy([{ [raw(column)]: direction }, { id: direction }]);
      // One more row than asked tells whether there is a next page, without a count.
      if (limit !== undefined) qb.limit(limit + 1);
      const tasks = toTasks(em, await qb.execute('all'));
      if (limit === undefined || tasks.length <= limit) return { tasks, nextCursor: null };
      const page = tasks.slice(0, limit);
      return { tasks: page, nextCursor: encodeCursor(page[page.length - 1]!, order) };
    });
  }

  get(userId: string, id: number): Promise<Task | null> {
    return guardStorage(async () => {
      const em = this.em.fork();
      const [task] = toTasks(em, await em.createQueryBuilder(TaskSchema).select('*').where({ id, userId }).limit(1).execute('all'));
      return task ?? null;
    });
  }

  update(userId: string, id: number, changes: TaskChanges, expected?: ExpectedVersions): Promise<Task | null> {
    const fields: EntityData<StoredTask> = {};
    if (changes.title !== undefined) fields.title = changes.title;
    if (changes.description !== undefined) fields.description = changes.description;
    if (changes.completed !== undefined) fields.completed = changes.completed;
    return this.change(userId, id, expected, fields);
  }

  delete(userId: string, id: number, expected?: ExpectedVersions): Promise<boolean> {
    return guardStorage(async () => {
      const em = this.em.fork();
      const result = await em
        .createQueryBuilder(TaskSchema)
        .delete(this.target(userId, id, expected))
        .execute('run');
      if (result.affectedRows > 0) return true;
      await this.failUnlessMissing(em, userId, id, expected);
      return false;
    });
  }

  toggleCompletion(userId: string, id: number, expected?: ExpectedVersions): Promise<Task | null> {
    // Flips the stored value itself, so concurrent toggles serialise on the row lock and none is lost.
    return this.change(userId, id, expected, { completed: raw('not completed') });
  }

  updateMatching(userId: string, filter: TaskFilter, changes: TaskChanges): Promise<number> {
    const fields: EntityData<StoredTask> = {};
    // Only tasks not already as asked change (and count): "complete all" leaves completed tasks alone.
    const differs: string[] = [];
    const values: unknown[] = [];
    for (const field of ['title', 'description', 'completed'] as const) {
      if (changes[field] === undefined) continue;
      fields[field] = changes[field] as never;
      differs.push(`${field} is distinct from ?`);
      values.push(changes[field]);
    }
    return guardStorage(() =>
      this.inTransaction(async (em) => {
        const ids = await this.lockMatching(em, userId, filter, [`(${differs.join(' or ')})`, values]);
        if (ids.length === 0) return 0;
        const change = await this.nextChange(em, userId);
        // Only the rows locked above: a row that came to match since is left alone, so no new lock is
        // taken while the counter is held.
        const result = await em
          .createQueryBuilder(TaskSchema)
          .update({ ...fields, change, updatedAt: raw(MODIFIED_NOW), version: raw('version + 1') })
          .where({ userId, id: { $in: ids } })
          .execute('run');
        return result.affectedRows;
      }),
    );
  }

  deleteMatching(userId: string, filter: TaskFilter): Promise<number> {
    return guardStorage(() =>
      this.inTransaction(async (em) => {
        const ids = await this.lockMatching(em, userId, filter);
        if (ids.length === 0) return 0;
        // One statement: its delete trigger counts the tasks out and leaves their tombstones, under one change.
        const result = await em
          .createQueryBuilder(TaskSchema)
          .delete({ userId, id: { $in: ids } })
          .execute('run');
        return result.affectedRows;
      }),
    );
  }

  /**
   * Locks the user's tasks that match the filter (and `condition`), in id order, and returns their ids:
   * rows first, in one order for every bulk action, before the counter, as every write takes them, so
   * bulk actions and single writes cannot deadlock.
   */
  private async lockMatching(em: EntityManager, userId: string, filter: TaskFilter, condition?: [string, unknown[]]): Promise<number[]> {
    const qb = em.createQueryBuilder(TaskSchema).select('id').where({ userId });
    if (filter.completed !== undefined) qb.andWhere({ completed: filter.completed });
    matchWords(qb, filter.words);
    if (condition) qb.andWhere(condition[0], condition[1]);
    const rows = await qb.orderBy({ id: 'asc' }).setLockMode(LockMode.PESSIMISTIC_WRITE).execute('all', false);
    const number = bigintOf(em);
    return rows.map((row) => number((row as { id: unknown }).id));
  }

  changes(userId: string, after: FeedPosition, limit: number): Promise<ChangeBatch> {
    return guardStorage(() =>
      // Three reads of one snapshot: tasks and tombstones are merged, and neither may be newer than the other.
      this.inTransaction(
        async (em) => {
          const head = await em.createQueryBuilder(TaskCountSchema).select(['forgottenThrough']).where({ userId }).execute('get');
          const rows = await em
            .createQueryBuilder(TaskSchema)
            .select('*')
            .where({ userId })
            .andWhere('(change, id) > (?, ?)', [after.change, after.taskId])
            .orderBy([{ change: 'asc' }, { id: 'asc' }])
            .limit(limit + 1)
            .execute('all');
          const tombstones = await em
            .createQueryBuilder(TaskTombstoneSchema)
            .select('*')
            .where({ userId })
            .andWhere('(change, task_id) > (?, ?)', [after.change, after.taskId])
            .orderBy([{ change: 'asc' }, { taskId: 'asc' }])
            .limit(limit + 1)
            .execute('all');
          const number = bigintOf(em);
          const tasks = toTasks(em, rows);
          const entries: TaskChange[] = [
            ...rows.map((row, i) => ({ kind: 'upsert' as const, change: number(row.change), task: tasks[i]! })),
            ...tombstones.map((t) => ({ kind: 'delete' as const, change: number(t.change), taskId: number(t.taskId), deletedAt: t.deletedAt as Date })),
          ].sort((a, b) => a.change - b.change || positionOf(a).taskId - positionOf(b).taskId);
          return {
            changes: entries.slice(0, limit),
            more: entries.length > limit,
            forgottenThrough: head ? number(head.forgottenThrough) : 0,
          };
        },
        { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
      ),
    );
  }

  feedHeads(userIds: readonly string[]): Promise<Map<string, FeedHead>> {
    return guardStorage(async () => {
      const heads = new Map<string, FeedHead>();
      if (userIds.length === 0) return heads;
      const em = this.em.fork();
      const rows = await em
        .createQueryBuilder(TaskCountSchema)
        .select(['userId', 'changes', 'forgottenThrough'])
        .where({ userId: { $in: [...userIds] } })
        .execute('all');
      const number = bigintOf(em);
      for (const row of rows) heads.set(row.userId!, { latest: number(row.changes), forgottenThrough: number(row.forgottenThrough) });
      return heads;
    });
  }

  /**
   * Deletes the tombstones older than `days`, oldest first, in batches of `FORGET_BATCH`, each its own
   * transaction: the tombstones' delete trigger moves the horizon of each user a batch forgot for, and
   * holds those users' counter rows only until the batch commits, so writers wait a batch, not the whole
   * purge. One instance at a time: a batch first takes a transaction-scoped advisory lock (which a
   * transaction pooler allows), and an instance that finds it taken leaves the purge to the one that has
   * it. Stops between batches once `signal` is aborted. Returns how many tombstones this instance deleted.
   */
  forgetDeletions(days: number, signal?: AbortSignal): Promise<number> {
    return guardStorage(async () => {
      let forgotten = 0;
      for (;;) {
        if (signal?.aborted) return forgotten;
        const deleted = await this.forgetDeletionsBatch(days);
        if (deleted === undefined) return forgotten;
        forgotten += deleted;
        if (deleted < FORGET_BATCH) return forgotten;
      }
    });
  }

  /** One batch of `forgetDeletions`; undefined when another instance is purging. */
  private forgetDeletionsBatch(days: number): Promise<number | undefined> {
    return this.inTransaction(async (em) => {
      const [lock] = await em
        .getConnection()
        .execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(?) as locked', [FORGET_LOCK_KEY], 'all', em.getTransactionContext());
      if (!lock?.locked) return undefined;
      const result = await em
        .createQueryBuilder(TaskTombstoneSchema)
        .delete()
        .where(
          `("user_id", "change", "task_id") in (select "user_id", "change", "task_id" from "task_tombstones" where "deleted_at" < now() - make_interval(days => ?) order by "deleted_at" limit ?)`,
          [Math.floor(days), FORGET_BATCH],
        )
        .execute('run');
      return result.affectedRows;
    });
  }

  /**
   * Runs `work` in a transaction of its own, on a fork, begun and ended here rather than by
   * `em.transactional`: that one keeps its context in an AsyncLocalStorage, and on Node.js 20 using one
   * installs promise hooks that every promise of the process then pays for, for good (see runMigrations).
   */
  private async inTransaction<T>(work: (em: EntityManager) => Promise<T>, options?: Omit<TransactionOptions, 'ignoreNestedTransactions'>): Promise<T> {
    const em = this.em.fork();
    await em.begin(options);
    try {
      const result = await work(em);
      await em.commit();
      return result;
    } catch (error) {
      if (em.isInTransaction()) await em.rollback().catch(() => {});
      throw error;
    }
  }

  /** Moves the user's change counter by one and returns its value: the number of a bulk action's change. */
  private async nextChange(em: EntityManager, userId: string): Promise<number> {
    const [row] = await em
      .createQueryBuilder(TaskCountSchema)
      .insert({ userId, tasks: 0, changes: 1 })
      .onConflict('userId')
      .merge({ changes: raw('task_counts.changes + 1') })
      .returning(['changes'])
      .execute('all');
    return bigintOf(em)(row!.changes);
  }

  /** Inserts the task; the insert trigger counts it against the user's limit in the same statement. */
  private async insert(em: EntityManager, task: NewTask): Promise<Task> {
    const qb = em.createQueryBuilder(TaskSchema).insert({
      userId: task.userId,
      title: task.title,
      description: task.description,
      completed: false,
      // Both from the database clock, in one statement: a new task's two timestamps are equal.
      createdAt: raw(NOW_MS),
      updatedAt: raw(NOW_MS),
      version: 1,
    });
    try {
      return (await this.returningTask(em, qb))!;
    } catch (error) {
      throw limitReached(error);
    }
  }

  /** One atomic UPDATE of the task, conditioned on the expected versions; tells "changed" from "missing". */
  private change(userId: string, id: number, expected: ExpectedVersions, fields: EntityData<StoredTask>): Promise<Task | null> {
    return guardStorage(async () => {
      const em = this.em.fork();
      const qb = em
        .createQueryBuilder(TaskSchema)
        // Raw SQL for what the statement computes from the row itself: the new updated_at and version.
        .update({ ...fields, updatedAt: raw(MODIFIED_NOW), version: raw('version + 1') })
        .where(this.target(userId, id, expected));
      const task = await this.returningTask(em, qb);
      if (!task) await this.failUnlessMissing(em, userId, id, expected);
      return task;
    });
  }

  /** The task of this user with this id, at one of the expected versions when there are some. */
  private target(userId: string, id: number, expected: ExpectedVersions) {
    return expected ? { id, userId, version: { $in: [...expected] } } : { id, userId };
  }

  /** Runs an INSERT or UPDATE that returns the whole row, as a `Task`. */
  private async returningTask(em: EntityManager, qb: InsertQueryBuilder<StoredTask> | UpdateQueryBuilder<StoredTask>): Promise<Task | null> {
    const [task] = toTasks(em, await qb.returning(['*']).execute<EntityData<StoredTask>[]>('all'));
    return task ?? null;
  }

  /** After a conditional change touched nothing: throws `TaskChangedError` when the task exists after all. */
  private async failUnlessMissing(em: EntityManager, userId: string, id: number, expected: ExpectedVersions): Promise<void> {
    if (!expected) return;
    const exists = await em.createQueryBuilder(TaskSchema).select('id').where({ id, userId }).execute('get', false);
    if (exists) throw new TaskChangedError(id);
  }
}
