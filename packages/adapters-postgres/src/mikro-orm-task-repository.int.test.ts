import type { MikroORM } from '@mikro-orm/core';
import { DEFAULT_TASK_ORDER, DESCRIPTION_MAX_LENGTH, StorageUnavailableError, Task, TITLE_MAX_LENGTH, USER_ID_MAX_LENGTH } from '@tasks/domain';
import { aNewTask, describeTaskRepositoryContract } from '@tasks/domain/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../../test/postgres/fresh-database.js';
import { freePort } from '../../../test/postgres/postgres-sources.js';
import { createMikroOrm, type PostgresOptions, type PostgresOrm } from './create-mikro-orm.js';
import { migrationsList } from './migrations/index.js';
import { MikroOrmTaskRepository } from './mikro-orm-task-repository.js';
import { PoolPressure } from './pool-pressure.js';
import { runMigrations } from './run-migrations.js';
import { isStorageFailure } from './storage-failure.js';

const poolDefaults: Omit<PostgresOptions, 'databaseUrl'> = {
  poolMax: 10,
  idleTimeoutMs: 10_000,
  connectTimeoutMs: 2_000,
  statementTimeoutMs: 10_000,
};

let databaseUrl: string;
let orm: PostgresOrm;
let repository: MikroOrmTaskRepository;

beforeAll(async () => {
  databaseUrl = await freshDatabaseUrl();
  orm = await createMikroOrm({ databaseUrl, ...poolDefaults });
  await runMigrations(orm);
  repository = new MikroOrmTaskRepository(orm.em);
});

afterAll(async () => {
  await orm?.close(true);
});

/** The SQL statements `work` sends, with their parameters in place as MikroORM sends them. */
async function capturingQueries(instance: MikroORM, work: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const platform = instance.em.getPlatform();
  instance.config.set('onQuery', (sql, params) => {
    statements.push(platform.formatQuery(sql, params));
    return sql;
  });
  try {
    await work();
  } finally {
    instance.config.set('onQuery', (sql) => sql);
  }
  return statements;
}

describeTaskRepositoryContract('MikroOrmTaskRepository', () => ({ repository }));

describe('MikroOrmTaskRepository on PostgreSQL', () => {
  it('forgets old tombstones in batches, moving each user horizon, and leaves recent ones', async () => {
    const sql = (text: string, params: unknown[] = []) => orm.em.fork().getConnection().execute(text, params);
    // 12,000 deletions (more than two batches) across three users, aged past the retention; one recent.
    for (const user of ['purge-a', 'purge-b', 'purge-c']) {
      await sql(`insert into tasks (user_id, title) select ?, 'old ' || n from generate_series(1, 4000) n`, [user]);
      expect(await repository.deleteMatching(user, { completed: false })).toBe(4000);
    }
    await sql(`update task_tombstones set deleted_at = deleted_at - interval '31 days' where user_id like 'purge-%'`);
    const recent = await repository.create(aNewTask({ userId: 'purge-a' }));
    await repository.delete('purge-a', recent.id);

    // Stopped (at shutdown) before a batch: nothing is deleted.
    expect(await repository.forgetDeletions(30, AbortSignal.abort())).toBe(0);
    let forgotten = 0;
    const statements = await capturingQueries(orm, async () => {
      forgotten = await repository.forgetDeletions(30);
    });
    expect(forgotten).toBe(12_000);
    // Three short transactions of at most 5,000 each, not one over everything.
    expect(statements.filter((statement) => /^delete from "task_tombstones"/.test(statement))).toHaveLength(3);
    const [left] = await sql(`select count(*)::int as n from task_tombstones where user_id like 'purge-%'`);
    expect(left).toEqual({ n: 1 });
    const heads = await repository.feedHeads(['purge-a', 'purge-b', 'purge-c']);
    // Each user's horizon is its bulk deletion's change: a token from before it has missed deletions.
    for (const user of ['purge-b', 'purge-c']) expect(heads.get(user)!.forgottenThrough).toBe(heads.get(user)!.latest);
    // purge-a changed twice since (the recent task's create and delete), and those are kept.
    expect(heads.get('purge-a')!.forgottenThrough).toBe(heads.get('purge-a')!.latest - 2);
  });

  it('forgets tombstones on one instance at a time: another that finds the purge running leaves it', async () => {
    const sql = (text: string, params: unknown[] = []) => orm.em.fork().getConnection().execute(text, params);
    const task = await repository.create(aNewTask({ userId: 'purge-lock' }));
    await repository.delete('purge-lock', task.id);
    await sql(`update task_tombstones set deleted_at = deleted_at - interval '31 days' where user_id = 'purge-lock'`);
    // Another instance in the middle of a purge holds the lock in its transaction.
    const other = await createMikroOrm({ databaseUrl, ...poolDefaults, poolMax: 1 });
    const em = other.em.fork();
    try {
      await em.begin();
      await em.getConnection().execute('select pg_advisory_xact_lock(7264115002)', [], 'all', em.getTransactionContext());
      expect(await repository.forgetDeletions(30)).toBe(0);
      await em.commit();
      expect(await repository.forgetDeletions(30)).toBe(1);
    } finally {
      if (em.isInTransaction()) await em.rollback();
      await other.close(true);
    }
  });

  it('applies each migration once, also when several instances start together', async () => {
    const url = await freshDatabaseUrl();
    const orms = await Promise.all([1, 2, 3].map(() => createMikroOrm({ databaseUrl: url, ...poolDefaults })));
    try {
      const applied = await Promise.all(orms.map((instance) => runMigrations(instance)));
      expect(applied.flat()).toEqual(migrationsList.map((migration) => migration.name));
      expect(await runMigrations(orms[0]!)).toEqual([]);
    } finally {
      await Promise.all(orms.map((instance) => instance.close(true)));
    }
  });

  it('maps the tables exactly as the migrations build them: MikroORM finds nothing to change', async () => {
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it("maps every row onto the domain's Task class, with its types", async () => {
    const created = await repository.create(aNewTask({ userId: 'mapper' }));
    const [listed] = (await repository.list('mapper', { order: DEFAULT_TASK_ORDER })).tasks;
    for (const task of [created, await repository.get('mapper', created.id), listed, await repository.toggleCompletion('mapper', created.id)]) {
      expect(task).toBeInstanceOf(Task);
      expect(typeof task!.id).toBe('number');
      expect(task!.createdAt).toBeInstanceOf(Date);
    }
  });

  it("keeps each user's count equal to the tasks it has, through creates, idempotent creates and deletes", async () => {
    const user = 'counted';
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await repository.create(aNewTask({ userId: user })));
    await repository.createOnce(aNewTask({ userId: user }), { key: 'count-me', fingerprint: 'f' });
    await repository.createOnce(aNewTask({ userId: user }), { key: 'count-me', fingerprint: 'f' });
    await repository.delete(user, created[0]!.id);
    await repository.delete(user, created[1]!.id);
    const [row] = await orm.em
      .fork()
      .getConnection()
      .execute<{ counted: number; actual: number }[]>(
        `select (select tasks from task_counts where user_id = '${user}') as counted, (select count(*)::int from tasks where user_id = '${user}') as actual`,
      );
    expect(row).toEqual({ counted: 4, actual: 4 });
  });

  it('rounds timestamps written by other tools to the millisecond, so pages neither repeat nor skip a task', async () => {
    const user = 'imported';
    await orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into tasks (user_id, title, description, completed, created_at, updated_at)
         select '${user}', 'imported ' || i, null, false, now() - make_interval(secs => i), now() - make_interval(secs => i)
         from generate_series(1, 7) as i`,
      );
    const seen: number[] = [];
    let after: string | undefined;
    do {
      const page = await repository.list(user, { order: DEFAULT_TASK_ORDER, limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.tasks.map((task) => task.id));
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('forgets every count when the table is truncated, so the limit starts afresh', async () => {
    const url = await freshDatabaseUrl();
    const other = await createMikroOrm({ databaseUrl: url, ...poolDefaults });
    try {
      await runMigrations(other);
      const tasks = new MikroOrmTaskRepository(other.em);
      await tasks.limitTasksPerUser(2);
      for (let i = 0; i < 2; i++) await tasks.create(aNewTask({ userId: 'truncated' }));
      await other.em.getConnection().execute('truncate tasks');
      for (let i = 0; i < 2; i++) await tasks.create(aNewTask({ userId: 'truncated' }));
      await expect(tasks.create(aNewTask({ userId: 'truncated' }))).rejects.toMatchObject({ code: 'TASK_LIMIT_REACHED' });
    } finally {
      await other.close(true);
    }
  });

  it("estimates a new request's wait for a connection from the pool's queue and its recent statements", async () => {
    const single = await createMikroOrm({ databaseUrl, ...poolDefaults, poolMax: 1 });
    try {
      const pressure = PoolPressure.of(single);
      const sleep = () => single.em.fork().getConnection().execute('select pg_sleep(0.2)');
      for (let i = 0; i < 3; i++) await sleep();
      expect(pressure.expectedWaitMs()).toBe(0);
      const queued = Promise.all(Array.from({ length: 8 }, sleep));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // One running, seven queued behind it, each about 200 ms, one connection: about 1.4 s.
      expect(pressure.expectedWaitMs()).toBeGreaterThan(1_000);
      expect(pressure.expectedWaitMs()).toBeLessThan(2_500);
      await queued;
      expect(pressure.expectedWaitMs()).toBe(0);
    } finally {
      await single.close(true);
    }
  });

  it('creates columns whose limits are the domain limits', async () => {
    const columns = await orm.em
      .fork()
      .getConnection()
      .execute<{ column_name: string; character_maximum_length: number | null }[]>(
        `select column_name, character_maximum_length from information_schema.columns where table_name = 'tasks'`,
      );
    const limit = (name: string) =>
      columns.find((column: { column_name: string; character_maximum_length: number | null }) => column.column_name === name)?.character_maximum_length;
    expect(limit('title')).toBe(TITLE_MAX_LENGTH);
    expect(limit('user_id')).toBe(USER_ID_MAX_LENGTH);
    await expect(repository.create(aNewTask({ description: 'x'.repeat(DESCRIPTION_MAX_LENGTH + 1) }))).rejects.toThrow(/tasks_description_length/);
  });

  it('counts length in characters, as the domain does, so a title of 200 emoji fits', async () => {
    const title = '🚀'.repeat(TITLE_MAX_LENGTH);
    const task = await repository.create(aNewTask({ title }));
    expect((await repository.get(task.userId, task.id))!.title).toBe(title);
  });

  it('ends a statement that runs past the statement timeout as storage unavailable, and never reuses its connection', async () => {
    // One connection: if the stuck one came back to the pool, the next statement would wait behind it.
    const impatient = await createMikroOrm({ databaseUrl, ...poolDefaults, poolMax: 1, statementTimeoutMs: 300 });
    try {
      const started = Date.now();
      const error = await impatient.em
        .fork()
        .getConnection()
        .execute('select pg_sleep(5)')
        .catch((e: unknown) => e);
      expect(isStorageFailure(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
      const next = Date.now();
      expect(await impatient.em.fork().getConnection().execute('select 1 as one')).toEqual([{ one: 1 }]);
      expect(Date.now() - next).toBeLessThan(2_000);
    } finally {
      await impatient.close(true);
    }
  });

  it('sets no statement timeout on the session: nothing a transaction pooler would refuse or lose', async () => {
    const timeout = await orm.em.fork().getConnection().execute<{ statement_timeout: string }[]>('show statement_timeout');
    expect(timeout[0]!.statement_timeout).toBe('0');
  });

  /** One user with 100,000 tasks, made once for the tests that need that many. */
  async function heavyUser() {
    const connection = orm.em.fork().getConnection();
    if ((await connection.execute<{ n: string }[]>("select count(*) as n from tasks where user_id = 'heavy'"))[0]!.n === '0') {
      // One statement of 100,000 rows: the per-row count trigger is left out (replica role) and the
      // user's count set once after, as a bulk import would.
      await connection.execute(
        `begin;
         set local session_replication_role = replica;
         insert into tasks (user_id, title, description, completed, created_at, updated_at)
         select 'heavy', 'task ' || md5(i::text), null, i % 2 = 0,
                date_trunc('milliseconds', now()) - make_interval(secs => i), date_trunc('milliseconds', now()) - make_interval(secs => i)
         from generate_series(1, 100000) as i;
         insert into task_counts (user_id, tasks) values ('heavy', 100000);
         commit;`,
      );
      // As autovacuum would soon: the search index's pending entries merged, the statistics fresh.
      await connection.execute('vacuum analyze tasks');
    }
    return connection;
  }

  it.each([
    ['createdAt', 'asc', 'tasks_user_id_created_at_id_index'],
    ['createdAt', 'desc', 'tasks_user_id_created_at_id_index'],
    ['updatedAt', 'asc', 'tasks_user_id_updated_at_id_index'],
    ['updatedAt', 'desc', 'tasks_user_id_updated_at_id_index'],
    ['title', 'asc', 'tasks_user_id_title_id_index'],
    ['title', 'desc', 'tasks_user_id_title_id_index'],
  ] as const)('serves a page of a 100,000-task list by %s %s from %s, without sorting', async (field, direction, index) => {
    const connection = await heavyUser();
    const order = { field, direction };
    const first = await repository.list('heavy', { order, limit: 50 });
    // The statement the repository runs for the second page, exactly as MikroORM sends it.
    const statements = await capturingQueries(orm, () => repository.list('heavy', { order, limit: 50, after: first.nextCursor! }));
    expect(statements).toHaveLength(1);
    const plan = JSON.stringify(await connection.execute(`explain (format json) ${statements[0]}`));
    expect(plan).toContain(index);
    expect(plan).not.toMatch(/"Node Type":"(Sort|Seq Scan)"/);
  });

  it('serves a one-word search of a 100,000-task list from tasks_user_id_search_index', async () => {
    const connection = await heavyUser();
    // The steady state autovacuum keeps: the other tests' inserts wait in the index's pending list until
    // then, and the planner counts them against the index.
    await connection.execute('vacuum analyze tasks');
    const statements = await capturingQueries(orm, () =>
      repository.list('heavy', { order: { field: 'createdAt', direction: 'asc' }, words: ['abc1'], limit: 50 }),
    );
    expect(statements).toHaveLength(1);
    const plan = JSON.stringify(await connection.execute(`explain (format json) ${statements[0]}`));
    expect(plan, `${statements[0]}\n${plan}`).toContain('tasks_user_id_search_index');
    expect(plan).not.toMatch(/"Node Type":"Seq Scan"/);
    const found = await repository.list('heavy', { order: { field: 'createdAt', direction: 'asc' }, words: ['ABC1'] });
    const expected = await connection.execute<{ n: string }[]>("select count(*) as n from tasks where user_id = 'heavy' and title ilike '%abc1%'");
    expect(found.tasks.length).toBe(Number(expected[0]!.n));
    expect(found.tasks.length).toBeGreaterThan(0);
  });

  it('makes every earlier feed position stale when the tasks table is truncated', async () => {
    // A database of its own: truncating takes every task with it.
    const own = await createMikroOrm({ databaseUrl: await freshDatabaseUrl(), ...poolDefaults });
    try {
      await runMigrations(own);
      const tasks = new MikroOrmTaskRepository(own.em);
      const task = await tasks.create(aNewTask({ userId: 'truncated' }));
      const before = (await tasks.feedHeads(['truncated'])).get('truncated')!;
      await own.em.fork().getConnection().execute('truncate tasks');
      const after = (await tasks.feedHeads(['truncated'])).get('truncated')!;
      // No tombstone records what went: every position before counts as behind forgotten deletions.
      expect(after.forgottenThrough).toBeGreaterThan(before.latest);
      expect((await tasks.changes('truncated', { change: before.latest, taskId: task.id }, 10)).forgottenThrough).toBe(after.forgottenThrough);
    } finally {
      await own.close(true);
    }
  });

  it('forgets an Idempotency-Key after its lifetime: the same key then creates a new task', async () => {
    const request = { key: 'old-key', fingerprint: 'f' };
    const first = await repository.createOnce(aNewTask({ userId: 'expiry' }), request);
    await orm.em.fork().getConnection().execute("update idempotency_keys set expires_at = now() - interval '1 second' where user_id = 'expiry'");
    const again = await repository.createOnce(aNewTask({ userId: 'expiry' }), request);
    expect(again.replayed).toBe(false);
    expect(again.task.id).not.toBe(first.task.id);

    await orm.em.fork().getConnection().execute("update idempotency_keys set expires_at = now() - interval '1 second' where user_id = 'expiry'");
    expect(await repository.forgetExpiredIdempotencyKeys()).toBeGreaterThanOrEqual(1);
    const left = await orm.em.fork().getConnection().execute<{ n: number }[]>("select count(*)::int as n from idempotency_keys where user_id = 'expiry'");
    expect(left[0]!.n).toBe(0);
  });

  it('reports an unreachable database as StorageUnavailableError, quickly', async () => {
    const closedPort = await freePort();
    const down = await createMikroOrm({ databaseUrl: `postgres://postgres@127.0.0.1:${closedPort}/none`, ...poolDefaults });
    try {
      const started = Date.now();
      await expect(new MikroOrmTaskRepository(down.em).list('u', { order: DEFAULT_TASK_ORDER })).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeLessThan(poolDefaults.connectTimeoutMs + 1_000);
    } finally {
      await down.close(true);
    }
  });
});
