import { describe, expect, it } from 'vitest';
import { describeTaskRepositoryContract } from './describe-task-repository-contract.js';
import { InMemoryTaskRepository } from './in-memory-task-repository.js';

const shared = new InMemoryTaskRepository();
describeTaskRepositoryContract('InMemoryTaskRepository', () => ({ repository: shared }));

describe('InMemoryTaskRepository', () => {
  it('moves updatedAt forward on every modification, even when the clock steps back', async () => {
    let now = new Date('2026-01-02T00:00:00Z');
    const repository = new InMemoryTaskRepository({ now: () => now });
    const task = await repository.create({ userId: 'u', title: 't', description: null });
    now = new Date('2026-01-01T00:00:00Z');
    const toggled = await repository.toggleCompletion('u', task.id);
    expect(toggled!.updatedAt.getTime()).toBe(task.createdAt.getTime() + 1);
  });
});
