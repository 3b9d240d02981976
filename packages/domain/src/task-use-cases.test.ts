import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { ListAllTasks } from './list-all-tasks.js';
import { DEFAULT_TASK_ORDER, DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from './task.js';
import { TaskInvalidError, TaskNotFoundError } from './task-errors.js';
import { type TaskUseCases, taskUseCasesOn } from './task-use-cases.js';
import { InMemoryTaskRepository } from './testing/in-memory-task-repository.js';

let tasks: TaskUseCases;
beforeEach(() => {
  tasks = taskUseCasesOn(new InMemoryTaskRepository());
});

describe('CreateTask', () => {
  it('creates an open task with no description when none is given', async () => {
    const task = (await tasks.createTask.execute({ userId: 'alice', title: 'Buy milk' })).task;
    expect(task).toMatchObject({ userId: 'alice', title: 'Buy milk', description: null, completed: false });
  });

  it.each([
    ['an empty title', { title: '' }, 'title'],
    ['a title over the limit', { title: 'x'.repeat(TITLE_MAX_LENGTH + 1) }, 'title'],
    ['a description over the limit', { title: 't', description: 'd'.repeat(DESCRIPTION_MAX_LENGTH + 1) }, 'description'],
    ['a NUL in the title', { title: 'a\u0000' }, 'title'],
  ])('refuses %s', async (_, input, field) => {
    await expect(tasks.createTask.execute({ userId: 'alice', ...input })).rejects.toMatchObject({ code: 'TASK_INVALID', field });
  });

  it('refuses an empty user id', async () => {
    await expect(tasks.createTask.execute({ userId: '', title: 't' })).rejects.toBeInstanceOf(TaskInvalidError);
  });
});

describe('CreateTask with an Idempotency-Key', () => {
  it('creates once and answers a retry with the same task', async () => {
    const first = await tasks.createTask.execute({ userId: 'alice', title: 'once', idempotencyKey: 'k-1' });
    const retry = await tasks.createTask.execute({ userId: 'alice', title: 'once', idempotencyKey: 'k-1' });
    expect(first.replayed).toBe(false);
    expect(retry).toEqual({ task: first.task, replayed: true });
    expect((await tasks.listTasks.execute('alice')).tasks).toHaveLength(1);
  });

  it('keeps keys per user', async () => {
    const alice = await tasks.createTask.execute({ userId: 'alice', title: 't', idempotencyKey: 'shared' });
    const bob = await tasks.createTask.execute({ userId: 'bob', title: 't', idempotencyKey: 'shared' });
    expect(bob.task.id).not.toBe(alice.task.id);
  });

  it('refuses the same key for a different request', async () => {
    await tasks.createTask.execute({ userId: 'alice', title: 'one', idempotencyKey: 'k-2' });
    await expect(tasks.createTask.execute({ userId: 'alice', title: 'two', idempotencyKey: 'k-2' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it.each(['', 'x'.repeat(256), 'has space', 'ünïcode'])('refuses the key %j', async (key) => {
    await expect(tasks.createTask.execute({ userId: 'alice', title: 't', idempotencyKey: key })).rejects.toMatchObject({
      code: 'TASK_INVALID',
      field: 'idempotencyKey',
    });
  });
});

describe('ListTasks', () => {
  it.each([0, 101, 1.5])('refuses a page size of %s', async (limit) => {
    await expect(tasks.listTasks.execute('alice', { order: DEFAULT_TASK_ORDER, limit })).rejects.toMatchObject({ code: 'TASK_INVALID', field: 'limit' });
  });
});

describe('GetTask, UpdateTask, DeleteTask, ToggleTaskCompletion', () => {
  it.each(['getTask', 'deleteTask', 'toggleTaskCompletion'] as const)("%s reports another user's task as not found", async (useCase) => {
    const task = (await tasks.createTask.execute({ userId: 'alice', title: 't' })).task;
    await expect(tasks[useCase].execute('bob', task.id)).rejects.toBeInstanceOf(TaskNotFoundError);
  });

  it("UpdateTask reports another user's task as not found", async () => {
    const task = (await tasks.createTask.execute({ userId: 'alice', title: 't' })).task;
    await expect(tasks.updateTask.execute('bob', task.id, { title: 'x' })).rejects.toBeInstanceOf(TaskNotFoundError);
  });

  it.each([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, Number.NaN])('reports the impossible id %s as not found', async (id) => {
    await expect(tasks.getTask.execute('alice', id)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });

  it('UpdateTask refuses an invalid title and changes nothing', async () => {
    const task = (await tasks.createTask.execute({ userId: 'alice', title: 'keep' })).task;
    await expect(tasks.updateTask.execute('alice', task.id, { title: '' })).rejects.toBeInstanceOf(TaskInvalidError);
    expect((await tasks.getTask.execute('alice', task.id)).title).toBe('keep');
  });

  it('ToggleTaskCompletion flips and flips back', async () => {
    const task = (await tasks.createTask.execute({ userId: 'alice', title: 't' })).task;
    expect((await tasks.toggleTaskCompletion.execute('alice', task.id)).completed).toBe(true);
    expect((await tasks.toggleTaskCompletion.execute('alice', task.id)).completed).toBe(false);
  });

  it('DeleteTask removes the task for good', async () => {
    const task = (await tasks.createTask.execute({ userId: 'alice', title: 't' })).task;
    await tasks.deleteTask.execute('alice', task.id);
    await expect(tasks.getTask.execute('alice', task.id)).rejects.toBeInstanceOf(TaskNotFoundError);
  });
});

describe('user isolation, for any sequence of operations', () => {
  it("never lets one user's operations touch another user's tasks", async () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), title: fc.string({ minLength: 1, maxLength: 20 }) }),
      fc.record({ kind: fc.constantFrom('toggle' as const, 'delete' as const, 'update' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 30 }), async (operations) => {
        const useCases = taskUseCasesOn(new InMemoryTaskRepository());
        const victim = (await useCases.createTask.execute({ userId: 'victim', title: 'untouchable' })).task;
        const own: number[] = [];
        for (const op of operations) {
          if (op.kind === 'create') {
            own.push((await useCases.createTask.execute({ userId: 'attacker', title: op.title })).task.id);
            continue;
          }
          // Aim at the attacker's own ids and at the victim's id alike.
          const target = [...own, victim.id][op.pick % (own.length + 1)]!;
          const attempt =
            op.kind === 'toggle'
              ? useCases.toggleTaskCompletion.execute('attacker', target)
              : op.kind === 'delete'
                ? useCases.deleteTask.execute('attacker', target)
                : useCases.updateTask.execute('attacker', target, { title: 'changed' });
          await attempt.catch((error) => expect(error).toBeInstanceOf(TaskNotFoundError));
        }
        expect(await useCases.getTask.execute('victim', victim.id)).toEqual(victim);
        const listed = (await useCases.listTasks.execute('attacker')).tasks;
        expect(listed.every((task) => task.userId === 'attacker')).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('ListAllTasks', () => {
  it('returns every task in order, in batches of at most the batch size, each exactly once', async () => {
    const repository = new InMemoryTaskRepository();
    const useCases = taskUseCasesOn(repository);
    const created = [];
    for (let i = 0; i < 7; i++) created.push((await useCases.createTask.execute({ userId: 'many', title: `t${i}` })).task);
    const batches = [];
    for await (const batch of new ListAllTasks(repository, 3).execute('many')) batches.push(batch);
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual(created);
  });

  it('keeps the filter and the order across batches', async () => {
    const repository = new InMemoryTaskRepository();
    const useCases = taskUseCasesOn(repository);
    for (const title of ['c', 'a', 'd', 'b', 'e']) await useCases.createTask.execute({ userId: 'sorted', title });
    const batches = [];
    for await (const batch of new ListAllTasks(repository, 2).execute('sorted', { order: { field: 'title', direction: 'desc' } })) batches.push(batch);
    expect(batches.flat().map((task) => task.title)).toEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('yields nothing for a user without tasks, and refuses an invalid user id', async () => {
    const batches = [];
    for await (const batch of tasks.listAllTasks.execute('nobody')) batches.push(batch);
    expect(batches).toEqual([]);
    await expect(tasks.listAllTasks.execute('').next()).rejects.toBeInstanceOf(TaskInvalidError);
  });
});
