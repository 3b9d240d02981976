import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TASK_ORDER, type Task, type TaskListQuery, type TaskOrder } from '../task.js';
import { IdempotencyKeyReusedError, InvalidCursorError, TaskChangedError, TaskLimitReachedError } from '../task-errors.js';
import type { TaskRepository } from '../task-repository.js';
import { aNewTask } from './a-task.js';
import { describeChangeFeedContract } from './describe-change-feed-contract.js';
import { describeSearchContract } from './describe-search-contract.js';

const ORDERS: TaskOrder[] = (['createdAt', 'updatedAt', 'title'] as const).flatMap((field) =>
  (['asc', 'desc'] as const).map((direction) => ({ field, direction })),
);

/** What an adapter's test hands to the contract suite. */
export interface TaskRepositoryFixture {
  readonly repository: TaskRepository;
}

/**
 * The behaviour every `TaskRepository` promises, written once and run against each adapter. Each test
 * works on user ids of its own, so adapters need no cleanup between tests.
 */
export function describeTaskRepositoryContract(adapterName: string, fixture: () => TaskRepositoryFixture): void {
  const repo = () => fixture().repository;
  const listAll = async (userId: string, query: Partial<TaskListQuery> = {}) => (await repo().list(userId, { order: DEFAULT_TASK_ORDER, ...query })).tasks;
  /** Follows the cursors from the first page to the last, calling `between` after each page. */
  const walk = async (userId: string, query: Omit<TaskListQuery, 'after'>, between: () => Promise<unknown> = async () => {}) => {
    const pages: Task[][] = [];
    let after: string | undefined;
    do {
      const page = await repo().list(userId, { ...query, ...(after ? { after } : {}) });
      pages.push(page.tasks);
      after = page.nextCursor ?? undefined;
      await between();
    } while (after && pages.length < 100);
    return pages;
  };

  describe(`${adapterName} keeps the TaskRepository contract`, () => {
    it('creates an open task with an id and equal creation and modification times', async () => {
      const before = Date.now();
      const task = await repo().create(aNewTask({ userId: 'alice-c1', title: 'Buy milk', description: '2 litres' }));

      expect(task).toMatchObject({ userId: 'alice-c1', title: 'Buy milk', description: '2 litres', completed: false });
      expect(Number.isSafeInteger(task.id) && task.id > 0).toBe(true);
      expect(task.updatedAt.getTime()).toBe(task.createdAt.getTime());
      // The store's clock may differ from ours by a little; a minute is far beyond any sane skew.
      expect(Math.abs(task.createdAt.getTime() - before)).toBeLessThan(60_000);
    });

    it('gives every new task a distinct, increasing id', async () => {
      const first = await repo().create(aNewTask());
      const second = await repo().create(aNewTask());
      expect(second.id).toBeGreaterThan(first.id);
    });

    it('keeps text exactly as given, including characters outside the BMP and a null description', async () => {
      const title = '📝 Überweisung — 東京 ✓';
      const created = await repo().create(aNewTask({ title, description: null }));
      const read = await repo().get(created.userId, created.id);
      expect(read).toMatchObject({ title, description: null });
    });

    it('returns a task to its owner and to nobody else', async () => {
      const task = await repo().create(aNewTask({ userId: 'owner-g1' }));
      expect(await repo().get('owner-g1', task.id)).toEqual(task);
      expect(await repo().get('intruder-g1', task.id)).toBeNull();
    });

    it('returns null for an id that was never used', async () => {
      expect(await repo().get('anyone-g2', 2_000_000_000)).toBeNull();
    });

    it("lists only the user's own tasks, oldest first", async () => {
      const first = await repo().create(aNewTask({ userId: 'lister-l1', title: 'first' }));
      await repo().create(aNewTask({ userId: 'other-l1' }));
      const second = await repo().create(aNewTask({ userId: 'lister-l1', title: 'second' }));

      const listed = await listAll('lister-l1');
      expect(listed.map((task) => task.id)).toEqual([first.id, second.id]);
    });

    it('lists nothing for a user without tasks', async () => {
      expect(await repo().list('nobody-l2', { order: DEFAULT_TASK_ORDER })).toEqual({ tasks: [], nextCursor: null });
    });

    it('lists only completed or only open tasks when asked', async () => {
      const user = 'filter-l3';
      const [a, b, c] = [
        await repo().create(aNewTask({ userId: user })),
        await repo().create(aNewTask({ userId: user })),
        await repo().create(aNewTask({ userId: user })),
      ];
      await repo().toggleCompletion(user, b.id);
      expect((await listAll(user, { completed: true })).map((task) => task.id)).toEqual([b.id]);
      expect((await listAll(user, { completed: false })).map((task) => task.id)).toEqual([a.id, c.id]);
    });

    it.each(ORDERS.map((order) => [`${order.field} ${order.direction}`, order] as const))('orders the list by %s, then by id', async (_, order) => {
      const user = `order-${order.field}-${order.direction}`;
      for (const title of ['b', 'a', 'B', 'b', 'é', 'a']) await repo().create(aNewTask({ userId: user, title }));
      const all = await listAll(user);
      // Modify some, so that updatedAt differs from the creation order.
      await repo().update(user, all[1]!.id, { title: 'a' });
      await repo().update(user, all[0]!.id, {});
      const listed = await listAll(user, { order });
      const key = (task: Task) => (order.field === 'title' ? task.title : task[order.field].toISOString());
      const expected = [...listed].sort((x, y) => {
        const byKey = key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0;
        return (order.direction === 'asc' ? 1 : -1) * (byKey || x.id - y.id);
      });
      expect(listed.map((task) => task.id)).toEqual(expected.map((task) => task.id));
      expect(listed).toHaveLength(6);
    });

    it.each(ORDERS.map((order) => [`${order.field} ${order.direction}`, order] as const))(
      'pages through the list by %s with cursors, each task exactly once',
      async (_, order) => {
        const user = `pages-${order.field}-${order.direction}`;
        for (let i = 0; i < 11; i++) await repo().create(aNewTask({ userId: user, title: `t${i % 4}` }));
        const pages = await walk(user, { order, limit: 3 });
        expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 2]);
        expect(pages.flat().map((task) => task.id)).toEqual((await listAll(user, { order })).map((task) => task.id));
      },
    );

    it('misses and repeats nothing that existed when the walk began, while tasks are being created', async () => {
      const user = 'pages-busy';
      const before = [];
      for (let i = 0; i < 10; i++) before.push(await repo().create(aNewTask({ userId: user })));
      let extra = 0;
      const pages = await walk(user, { order: DEFAULT_TASK_ORDER, limit: 4 }, () => repo().create(aNewTask({ userId: user, title: `new ${extra++}` })));
      const seen = pages.flat().map((task) => task.id);
      expect(new Set(seen).size).toBe(seen.length);
      for (const task of before) expect(seen).toContain(task.id);
    });

    it('ends with no next cursor when the last page is exactly full', async () => {
      const user = 'pages-exact';
      for (let i = 0; i < 4; i++) await repo().create(aNewTask({ userId: user }));
      const pages = await walk(user, { order: DEFAULT_TASK_ORDER, limit: 2 });
      expect(pages.map((page) => page.length)).toEqual([2, 2]);
    });

    it('refuses a cursor it did not issue, or issued for another order', async () => {
      const user = 'pages-bad';
      for (let i = 0; i < 3; i++) await repo().create(aNewTask({ userId: user }));
      const { nextCursor } = await repo().list(user, { order: DEFAULT_TASK_ORDER, limit: 1 });
      await expect(repo().list(user, { order: { field: 'title', direction: 'asc' }, after: nextCursor! })).rejects.toBeInstanceOf(InvalidCursorError);
      const forged = (value: unknown[]) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const bogus of [
        'nonsense',
        forged([1, 2]),
        forged(['createdAt:asc', 'not a date', 1]),
        forged(['createdAt:asc', '1', 1]),
        forged(['createdAt:asc', '99999', 1]),
        forged(['createdAt:asc', 'Feb 30 2020', 1]),
        forged(['createdAt:asc', '2020-02-30T00:00:00.000Z', 1]),
      ]) {
        await expect(repo().list(user, { order: DEFAULT_TASK_ORDER, after: bogus })).rejects.toBeInstanceOf(InvalidCursorError);
      }
      const byTitle = { field: 'title', direction: 'asc' } as const;
      await expect(repo().list(user, { order: byTitle, after: forged(['title:asc', 'a\u0000b', 1]) })).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(repo().list(user, { order: byTitle, after: forged(['title:asc', '\ud800', 1]) })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('changes only the fields given and moves the modification time, never the creation time', async () => {
      const task = await repo().create(aNewTask({ userId: 'editor-u1', title: 'old', description: 'keep me' }));
      const updated = await repo().update('editor-u1', task.id, { title: 'new', completed: true });

      expect(updated).toMatchObject({ id: task.id, title: 'new', description: 'keep me', completed: true });
      expect(updated!.createdAt).toEqual(task.createdAt);
      expect(updated!.updatedAt.getTime()).toBeGreaterThan(task.updatedAt.getTime());
      expect(await repo().get('editor-u1', task.id)).toEqual(updated);
    });

    it('clears a description set to null', async () => {
      const task = await repo().create(aNewTask({ description: 'something' }));
      const updated = await repo().update(task.userId, task.id, { description: null });
      expect(updated!.description).toBeNull();
    });

    it('treats an update without fields as a modification that changes no field', async () => {
      const task = await repo().create(aNewTask());
      const updated = await repo().update(task.userId, task.id, {});
      expect(updated).toMatchObject({ title: task.title, description: task.description, completed: false });
      expect(updated!.updatedAt.getTime()).toBeGreaterThan(task.updatedAt.getTime());
    });

    it("refuses to update another user's task and leaves it as it was", async () => {
      const task = await repo().create(aNewTask({ userId: 'victim-u2' }));
      expect(await repo().update('intruder-u2', task.id, { title: 'hacked' })).toBeNull();
      expect(await repo().get('victim-u2', task.id)).toEqual(task);
    });

    it('deletes a task once', async () => {
      const task = await repo().create(aNewTask());
      expect(await repo().delete(task.userId, task.id)).toBe(true);
      expect(await repo().get(task.userId, task.id)).toBeNull();
      expect(await repo().delete(task.userId, task.id)).toBe(false);
    });

    it("refuses to delete another user's task", async () => {
      const task = await repo().create(aNewTask({ userId: 'victim-d1' }));
      expect(await repo().delete('intruder-d1', task.id)).toBe(false);
      expect(await repo().get('victim-d1', task.id)).toEqual(task);
    });

    it('flips completion back and forth', async () => {
      const task = await repo().create(aNewTask());
      const done = await repo().toggleCompletion(task.userId, task.id);
      expect(done!.completed).toBe(true);
      expect(done!.updatedAt.getTime()).toBeGreaterThan(task.updatedAt.getTime());
      const open = await repo().toggleCompletion(task.userId, task.id);
      expect(open!.completed).toBe(false);
      expect(open!.updatedAt.getTime()).toBeGreaterThan(done!.updatedAt.getTime());
    });

    it("refuses to toggle another user's task", async () => {
      const task = await repo().create(aNewTask({ userId: 'victim-t1' }));
      expect(await repo().toggleCompletion('intruder-t1', task.id)).toBeNull();
      expect((await repo().get('victim-t1', task.id))!.completed).toBe(false);
    });

    it('starts every task at version 1 and counts each change', async () => {
      const task = await repo().create(aNewTask());
      expect(task.version).toBe(1);
      expect((await repo().update(task.userId, task.id, { title: 'x' }))!.version).toBe(2);
      expect((await repo().toggleCompletion(task.userId, task.id))!.version).toBe(3);
      expect((await repo().get(task.userId, task.id))!.version).toBe(3);
    });

    it('applies a change conditioned on the current version, and refuses one on an older version', async () => {
      const task = await repo().create(aNewTask());
      const changed = await repo().update(task.userId, task.id, { title: 'first' }, [1]);
      expect(changed).toMatchObject({ title: 'first', version: 2 });
      await expect(repo().update(task.userId, task.id, { title: 'stale' }, [1])).rejects.toBeInstanceOf(TaskChangedError);
      await expect(repo().toggleCompletion(task.userId, task.id, [1])).rejects.toBeInstanceOf(TaskChangedError);
      await expect(repo().delete(task.userId, task.id, [1])).rejects.toBeInstanceOf(TaskChangedError);
      expect(await repo().get(task.userId, task.id)).toEqual(changed);
      expect(await repo().delete(task.userId, task.id, [2])).toBe(true);
    });

    it("reports a conditional change of a missing or another user's task as missing, not as changed", async () => {
      const task = await repo().create(aNewTask({ userId: 'victim-v1' }));
      expect(await repo().update('intruder-v1', task.id, { title: 'x' }, [9])).toBeNull();
      expect(await repo().delete('intruder-v1', task.id, [9])).toBe(false);
      expect(await repo().toggleCompletion('intruder-v1', task.id, [9])).toBeNull();
    });

    it('lets exactly one of fifty concurrent changes conditioned on the same version win', async () => {
      const task = await repo().create(aNewTask());
      const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => repo().update(task.userId, task.id, { title: `writer ${i}` }, [1])));
      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(TaskChangedError);
      }
      expect((await repo().get(task.userId, task.id))!.version).toBe(2);
    });

    it('creates once per Idempotency-Key, even when fifty requests with the key arrive at once', async () => {
      const user = 'idem-1';
      const request = { key: 'retry-me', fingerprint: '["t",null]' };
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => repo().createOnce(aNewTask({ userId: user, title: 't' }), request)));
      expect(new Set(outcomes.map((outcome) => outcome.task.id)).size).toBe(1);
      expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
      expect(outcomes[0]!.task).toMatchObject({ userId: user, title: 't' });
      expect(await listAll(user)).toHaveLength(1);
    });

    it('answers a replay with the task as it was created, even after it changed', async () => {
      const user = 'idem-2';
      const request = { key: 'k', fingerprint: 'f' };
      const first = await repo().createOnce(aNewTask({ userId: user }), request);
      await repo().update(user, first.task.id, { title: 'changed later' });
      const replay = await repo().createOnce(aNewTask({ userId: user }), request);
      expect(replay).toEqual({ task: first.task, replayed: true });
    });

    it('refuses a key reused for another request, and keeps keys apart per user', async () => {
      await repo().createOnce(aNewTask({ userId: 'idem-3' }), { key: 'k', fingerprint: 'a' });
      await expect(repo().createOnce(aNewTask({ userId: 'idem-3' }), { key: 'k', fingerprint: 'b' })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      const other = await repo().createOnce(aNewTask({ userId: 'idem-4' }), { key: 'k', fingerprint: 'b' });
      expect(other.replayed).toBe(false);
    });

    it('keeps an Idempotency-Key that is still alive when the expired ones are forgotten', async () => {
      const request = { key: 'alive', fingerprint: 'f' };
      const first = await repo().createOnce(aNewTask({ userId: 'idem-5' }), request);
      expect(await repo().forgetExpiredIdempotencyKeys()).toBeGreaterThanOrEqual(0);
      expect(await repo().createOnce(aNewTask({ userId: 'idem-5' }), request)).toEqual({ task: first.task, replayed: true });
    });

    describe('with a limit of tasks per user', () => {
      afterEach(() => repo().limitTasksPerUser(0));

      it('refuses a create beyond the limit, and takes one again once a task is deleted', async () => {
        await repo().limitTasksPerUser(3);
        const user = 'limited-1';
        const created = [];
        for (let i = 0; i < 3; i++) created.push(await repo().create(aNewTask({ userId: user })));
        await expect(repo().create(aNewTask({ userId: user }))).rejects.toMatchObject({ code: 'TASK_LIMIT_REACHED', limit: 3 });
        await expect(repo().createOnce(aNewTask({ userId: user }), { key: 'over', fingerprint: 'f' })).rejects.toBeInstanceOf(TaskLimitReachedError);
        expect(await listAll(user)).toHaveLength(3);
        // Another user is not affected.
        await repo().create(aNewTask({ userId: 'limited-2' }));
        await repo().delete(user, created[0]!.id);
        await repo().create(aNewTask({ userId: user }));
      });

      it('lets exactly as many of twenty concurrent creates through as the limit allows', async () => {
        await repo().limitTasksPerUser(5);
        const user = 'limited-race';
        const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => repo().create(aNewTask({ userId: user }))));
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
        for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(TaskLimitReachedError);
        expect(await listAll(user)).toHaveLength(5);
      });

      it('has no limit at 0', async () => {
        await repo().limitTasksPerUser(1);
        await repo().create(aNewTask({ userId: 'unlimited' }));
        await repo().limitTasksPerUser(0);
        await repo().create(aNewTask({ userId: 'unlimited' }));
        expect(await listAll('unlimited')).toHaveLength(2);
      });
    });

    it('loses no toggle when fifty arrive at once', async () => {
      const task = await repo().create(aNewTask());
      const results = await Promise.all(Array.from({ length: 50 }, () => repo().toggleCompletion(task.userId, task.id)));
      // Each toggle saw a distinct state, so the answers alternate: 25 of each, and the task ends as it began.
      expect(results.filter((result) => result!.completed)).toHaveLength(25);
      expect((await repo().get(task.userId, task.id))!.completed).toBe(false);
    });

    describeChangeFeedContract(repo);
    describeSearchContract(repo);
  });
}
