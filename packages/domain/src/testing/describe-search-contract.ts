import { describe, expect, it } from 'vitest';
import { DEFAULT_TASK_ORDER, searchWords, type TaskListQuery } from '../task.js';
import type { TaskRepository } from '../task-repository.js';
import { aNewTask } from './a-task.js';

/** Part of the `TaskRepository` contract: finding tasks by the words in them. */
export function describeSearchContract(repo: () => TaskRepository): void {
  const titles = async (userId: string, q: string, query: Partial<TaskListQuery> = {}) =>
    (await repo().list(userId, { order: DEFAULT_TASK_ORDER, words: searchWords(q), ...query })).tasks.map((task) => task.title);

  describe('search', () => {
    it('finds tasks with every word in the title or the description, ignoring case, leaving accents as they are', async () => {
      const user = 'searcher';
      await repo().create(aNewTask({ userId: user, title: 'Buy MILK', description: 'at the corner shop' }));
      await repo().create(aNewTask({ userId: user, title: 'Call the shop', description: null }));
      await repo().create(aNewTask({ userId: user, title: 'Café au lait', description: 'with milk' }));
      await repo().create(aNewTask({ userId: 'someone-else', title: 'Buy milk too', description: null }));

      expect(await titles(user, 'milk')).toEqual(['Buy MILK', 'Café au lait']);
      expect(await titles(user, 'Milk SHOP')).toEqual(['Buy MILK']);
      expect(await titles(user, '  shop   ')).toEqual(['Buy MILK', 'Call the shop']);
      expect(await titles(user, 'café')).toEqual(['Café au lait']);
      expect(await titles(user, 'cafe')).toEqual([]);
      expect(await titles(user, 'bread')).toEqual([]);
      // A word is found inside a longer one, as a find-as-you-type box expects.
      expect(await titles(user, 'orn')).toEqual(['Buy MILK']);
    });

    it('matches % and _ and backslashes as themselves', async () => {
      const user = 'searcher-literal';
      await repo().create(aNewTask({ userId: user, title: 'Raise 50% of funds', description: null }));
      await repo().create(aNewTask({ userId: user, title: 'Raise 500 of funds', description: null }));
      await repo().create(aNewTask({ userId: user, title: 'rename file_name', description: 'in C:\\temp' }));
      await repo().create(aNewTask({ userId: user, title: 'rename filexname', description: null }));

      expect(await titles(user, '50%')).toEqual(['Raise 50% of funds']);
      expect(await titles(user, '%')).toEqual(['Raise 50% of funds']);
      expect(await titles(user, 'file_name')).toEqual(['rename file_name']);
      expect(await titles(user, 'C:\\temp')).toEqual(['rename file_name']);
      expect(await titles(user, '\\')).toEqual(['rename file_name']);
    });

    it('combines with the completed filter, every order and keyset pages', async () => {
      const user = 'searcher-pages';
      const created = [];
      for (let i = 0; i < 7; i++) created.push(await repo().create(aNewTask({ userId: user, title: `report ${i}`, description: i % 2 ? 'weekly' : null })));
      await repo().create(aNewTask({ userId: user, title: 'unrelated', description: null }));
      await repo().toggleCompletion(user, created[1]!.id);
      expect(await titles(user, 'weekly', { completed: false })).toEqual(['report 3', 'report 5']);
      expect(await titles(user, 'report', { order: { field: 'title', direction: 'desc' } })).toEqual(created.map((t) => t.title).reverse());

      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await repo().list(user, { order: DEFAULT_TASK_ORDER, words: ['report'], limit: 3, ...(after ? { after } : {}) });
        seen.push(...page.tasks.map((task) => task.title));
        after = page.nextCursor ?? undefined;
      } while (after);
      expect(seen).toEqual(created.map((t) => t.title));
    });
  });
}
