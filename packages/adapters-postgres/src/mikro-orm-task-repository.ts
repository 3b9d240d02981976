import { type EntityDictionary, type MikroORM, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { NewTask, Task, TaskChanges, TaskRepository } from '@tasks/domain';
import { guardStorage } from './storage-failure.js';
import { TaskSchema } from './task-schema.js';

// Every modification moves updated_at forward by at least the wire's precision (1 ms), even when two
// arrive within one millisecond or the clock steps back, so clients can rely on it to order versions.
const MODIFIED_NOW = "greatest(now(), updated_at + interval '1 millisecond')";

/**
 * `TaskRepository` on PostgreSQL through MikroORM. Each call works in a fresh, short-lived EntityManager
 * fork (no identity map shared between requests); writes are single statements with `RETURNING`, so a
 * change and the row it produced are one atomic step and one round trip.
 */
export class MikroOrmTaskRepository implements TaskRepository {
  constructor(private readonly orm: MikroORM) {}

  create(task: NewTask): Promise<Task> {
    return guardStorage(async () => {
      const em = this.fork();
      const row = await em
        .createQueryBuilder(TaskSchema)
        .insert({
          userId: task.userId,
          title: task.title,
          description: task.description,
          completed: false,
          createdAt: raw('now()'),
          updatedAt: raw('now()'),
        })
        .returning('*')
        .execute('get', false);
      return this.toTask(em, row);
    });
  }

  list(userId: string): Promise<Task[]> {
    return guardStorage(() =>
      this.fork().find(TaskSchema, { userId }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    );
  }

  get(userId: string, id: number): Promise<Task | null> {
    return guardStorage(() => this.fork().findOne(TaskSchema, { id, userId }));
  }

  update(userId: string, id: number, changes: TaskChanges): Promise<Task | null> {
    return guardStorage(async () => {
      const em = this.fork();
      const row = await em
        .createQueryBuilder(TaskSchema)
        .update({ ...definedFields(changes), updatedAt: raw(MODIFIED_NOW) })
        .where({ id, userId })
        .returning('*')
        .execute('get', false);
      return row ? this.toTask(em, row) : null;
    });
  }

  delete(userId: string, id: number): Promise<boolean> {
    return guardStorage(async () => (await this.fork().nativeDelete(TaskSchema, { id, userId })) > 0);
  }

  toggleCompletion(userId: string, id: number): Promise<Task | null> {
    return guardStorage(async () => {
      const em = this.fork();
      // One UPDATE flips the stored value itself, so concurrent toggles serialise on the row lock.
      const row = await em
        .createQueryBuilder(TaskSchema)
        .update({ completed: raw('not completed'), updatedAt: raw(MODIFIED_NOW) })
        .where({ id, userId })
        .returning('*')
        .execute('get', false);
      return row ? this.toTask(em, row) : null;
    });
  }

  private fork(): EntityManager {
    return this.orm.em.fork({ clear: true, useContext: false }) as EntityManager;
  }

  private toTask(em: EntityManager, row: EntityDictionary<Task>): Task {
    return em.map(TaskSchema, row);
  }
}

function definedFields(changes: TaskChanges): TaskChanges {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}
