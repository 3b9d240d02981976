import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEED_START, type FeedPosition, isAfter, positionOf, type TaskChange } from '../change-feed.js';
import { DEFAULT_TASK_ORDER, type Task } from '../task.js';
import type { TaskRepository } from '../task-repository.js';
import { aNewTask } from './a-task.js';

/** A client's copy of a user's tasks, kept only from the feed. */
type Replica = Map<number, Task>;

const apply = (replica: Replica, entry: TaskChange) => {
  if (entry.kind === 'upsert') replica.set(entry.task.id, entry.task);
  else replica.delete(entry.taskId);
};

const view = (tasks: Iterable<Task>) =>
  [...tasks].map((t) => ({ id: t.id, title: t.title, description: t.description, completed: t.completed, version: t.version })).sort((a, b) => a.id - b.id);

/** Part of the `TaskRepository` contract: the change feed and the bulk actions it records. */
export function describeChangeFeedContract(repo: () => TaskRepository): void {
  /** Follows the feed from `from` to its end in pages of `limit`, checking that every entry comes after the one before. */
  const follow = async (userId: string, from: FeedPosition = FEED_START, limit = 3, replica: Replica = new Map()) => {
    let position = from;
    const entries: TaskChange[] = [];
    for (;;) {
      const batch = await repo().changes(userId, position, limit);
      for (const entry of batch.changes) {
        expect(isAfter(positionOf(entry), position)).toBe(true);
        position = positionOf(entry);
        apply(replica, entry);
        entries.push(entry);
      }
      if (!batch.more) return { position, entries, replica };
    }
  };
  const current = async (userId: string) => view((await repo().list(userId, { order: DEFAULT_TASK_ORDER })).tasks);

  describe('change feed', () => {
    it('records creates, updates, toggles and deletes in the order they happened, each task once at its last change', async () => {
      const user = 'feed-order';
      const a = await repo().create(aNewTask({ userId: user, title: 'a' }));
      const b = await repo().create(aNewTask({ userId: user, title: 'b' }));
      await repo().update(user, a.id, { title: 'a2' });
      const c = await repo().create(aNewTask({ userId: user, title: 'c' }));
      await repo().toggleCompletion(user, b.id);
      await repo().delete(user, c.id);

      const { entries, replica } = await follow(user);
      expect(entries.map((e) => (e.kind === 'upsert' ? `upsert ${e.task.title}` : `delete ${e.taskId}`))).toEqual(['upsert a2', 'upsert b', `delete ${c.id}`]);
      expect(entries.map((e) => e.change)).toEqual([...entries.map((e) => e.change)].sort((x, y) => x - y));
      expect(view(replica.values())).toEqual(await current(user));
      const deletion = entries[2]!;
      expect(deletion.kind === 'delete' && Math.abs(deletion.deletedAt.getTime() - Date.now())).toBeLessThan(60_000);
    });

    it('answers only what changed after a position, and nothing at the end', async () => {
      const user = 'feed-after';
      await repo().create(aNewTask({ userId: user }));
      const { position } = await follow(user);
      const later = await repo().create(aNewTask({ userId: user, title: 'later' }));
      const next = await repo().changes(user, position, 10);
      expect(next.changes.map((e) => e.kind === 'upsert' && e.task.id)).toEqual([later.id]);
      expect(next.more).toBe(false);
      const end = await repo().changes(user, positionOf(next.changes[0]!), 10);
      expect(end.changes).toEqual([]);
    });

    it("keeps users' feeds apart and knows where each stands", async () => {
      await repo().create(aNewTask({ userId: 'feed-x' }));
      await repo().create(aNewTask({ userId: 'feed-x' }));
      await repo().create(aNewTask({ userId: 'feed-y' }));
      expect((await follow('feed-y')).entries).toHaveLength(1);
      const heads = await repo().feedHeads(['feed-x', 'feed-y', 'feed-nobody']);
      expect(heads.get('feed-x')!.latest).toBeGreaterThan(heads.get('feed-y')!.latest);
      expect(heads.has('feed-nobody')).toBe(false);
      const before = heads.get('feed-y')!.latest;
      await repo().create(aNewTask({ userId: 'feed-y' }));
      expect((await repo().feedHeads(['feed-y'])).get('feed-y')!.latest).toBeGreaterThan(before);
    });

    it('completes all open tasks in one change and leaves the completed ones alone', async () => {
      const user = 'bulk-complete';
      const tasks: Task[] = [];
      for (let i = 0; i < 5; i++) tasks.push(await repo().create(aNewTask({ userId: user })));
      await repo().toggleCompletion(user, tasks[0]!.id);
      const { position } = await follow(user);

      expect(await repo().updateMatching(user, { completed: false }, { completed: true })).toBe(4);
      const after = await current(user);
      expect(after.every((t) => t.completed)).toBe(true);
      // The task that was already completed kept its version.
      expect(after.find((t) => t.id === tasks[0]!.id)!.version).toBe(2);
      const { entries } = await follow(user, position);
      expect(entries).toHaveLength(4);
      expect(new Set(entries.map((e) => e.change)).size).toBe(1);
      expect(await repo().updateMatching(user, {}, { completed: true })).toBe(0);
    });

    it('clears the completed tasks in one change that leaves a tombstone for each', async () => {
      const user = 'bulk-clear';
      const tasks: Task[] = [];
      for (let i = 0; i < 4; i++) tasks.push(await repo().create(aNewTask({ userId: user })));
      await repo().toggleCompletion(user, tasks[1]!.id);
      await repo().toggleCompletion(user, tasks[3]!.id);
      const { position, replica } = await follow(user);

      expect(await repo().deleteMatching(user, { completed: true })).toBe(2);
      expect((await current(user)).map((t) => t.id)).toEqual([tasks[0]!.id, tasks[2]!.id]);
      const { entries } = await follow(user, position, 1, replica);
      expect(entries.map((e) => e.kind === 'delete' && e.taskId)).toEqual([tasks[1]!.id, tasks[3]!.id]);
      expect(view(replica.values())).toEqual(await current(user));
      expect(await repo().deleteMatching(user, { completed: true })).toBe(0);
      // The count of tasks went down with them: the limit sees two.
      await repo().limitTasksPerUser(3);
      try {
        await repo().create(aNewTask({ userId: user }));
        await expect(repo().create(aNewTask({ userId: user }))).rejects.toMatchObject({ code: 'TASK_LIMIT_REACHED' });
      } finally {
        await repo().limitTasksPerUser(0);
      }
    });

    it('changes only the tasks of the user and of the filter', async () => {
      const mine = await repo().create(aNewTask({ userId: 'bulk-mine' }));
      const theirs = await repo().create(aNewTask({ userId: 'bulk-theirs' }));
      expect(await repo().updateMatching('bulk-mine', {}, { title: 'renamed', description: 'same' })).toBe(1);
      expect(await repo().deleteMatching('bulk-mine', { completed: true })).toBe(0);
      expect((await repo().get('bulk-mine', mine.id))!.title).toBe('renamed');
      expect((await repo().get('bulk-theirs', theirs.id))!.title).toBe(theirs.title);
    });

    it('applies a bulk action only to the tasks with the words searched for', async () => {
      const user = 'bulk-words';
      await repo().create(aNewTask({ userId: user, title: 'groceries: milk' }));
      await repo().create(aNewTask({ userId: user, title: 'call the bank' }));
      expect(await repo().updateMatching(user, { words: ['MILK'] }, { completed: true })).toBe(1);
      expect(await repo().deleteMatching(user, { completed: true, words: ['bank'] })).toBe(0);
      expect(await repo().deleteMatching(user, { completed: true, words: ['milk'] })).toBe(1);
      expect((await current(user)).map((t) => t.title)).toEqual(['call the bank']);
    });

    it('forgets tombstones only after the retention, and says how far it forgot', async () => {
      const user = 'feed-forget';
      const task = await repo().create(aNewTask({ userId: user }));
      await repo().delete(user, task.id);
      await repo().forgetDeletions(30);
      expect((await follow(user)).entries.filter((e) => e.kind === 'delete')).toHaveLength(1);
      expect((await repo().feedHeads([user])).get(user)!.forgottenThrough).toBe(0);
    });

    it('lets a follower of the feed rebuild the list from any position, whatever two writers interleave', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.array(fc.tuple(fc.constantFrom('create', 'update', 'toggle', 'delete', 'complete-all', 'clear-completed'), fc.nat(20)), { maxLength: 12 }),
            {
              minLength: 2,
              maxLength: 2,
            },
          ),
          fc.integer({ min: 1, max: 4 }),
          async (writers, pageSize) => {
            const user = `feed-property-${++run}`;
            const ids: number[] = [];
            for (let i = 0; i < 3; i++) ids.push((await repo().create(aNewTask({ userId: user }))).id);
            const pick = (n: number) => ids[n % ids.length]!;
            const write = async ([op, n]: [string, number]) => {
              if (op === 'create') ids.push((await repo().create(aNewTask({ userId: user }))).id);
              else if (op === 'update') await repo().update(user, pick(n), { title: `t${n}` });
              else if (op === 'toggle') await repo().toggleCompletion(user, pick(n));
              else if (op === 'delete') await repo().delete(user, pick(n));
              else if (op === 'complete-all') await repo().updateMatching(user, { completed: false }, { completed: true });
              else await repo().deleteMatching(user, { completed: true });
            };
            // A follower reads while the two writers run, keeping its replica and a copy at every position.
            const checkpoints: { position: FeedPosition; replica: Replica }[] = [];
            let done = false;
            const follower = (async () => {
              const replica: Replica = new Map();
              let position = FEED_START;
              while (!done) {
                const result = await follow(user, position, pageSize, replica);
                position = result.position;
                checkpoints.push({ position, replica: new Map(replica) });
                await new Promise((resolve) => setTimeout(resolve, 2));
              }
            })();
            try {
              await Promise.all(
                writers.map(async (ops) => {
                  for (const op of ops) await write(op as [string, number]);
                }),
              );
            } finally {
              done = true;
              await follower;
            }
            const final = await current(user);
            for (const checkpoint of [{ position: FEED_START, replica: new Map() as Replica }, ...checkpoints]) {
              const { replica } = await follow(user, checkpoint.position, pageSize, checkpoint.replica);
              expect(view(replica.values())).toEqual(final);
            }
          },
        ),
        { numRuns: 12 },
      );
    }, 60_000);
  });
}
