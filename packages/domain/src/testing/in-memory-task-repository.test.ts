import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEY_TTL_HOURS } from '../task.js';
import { describeTaskRepositoryContract } from './describe-task-repository-contract.js';
import { InMemoryTaskRepository } from './in-memory-task-repository.js';

const shared = new InMemoryTaskRepository();
describeTaskRepositoryContract('InMemoryTaskRepository', () => ({ repository: shared }));

describe('InMemoryTaskRepository', () => {
  it('forgets an Idempotency-Key after its lifetime: the same key then creates a new task', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const repository = new InMemoryTaskRepository({ now: () => now });
    const request = { key: 'k', fingerprint: 'f' };
    const first = await repository.createOnce({ userId: 'u', title: 't', description: null }, request);
    expect(await repository.forgetExpiredIdempotencyKeys()).toBe(0);
    now = new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000);
    expect(await repository.forgetExpiredIdempotencyKeys()).toBe(1);
    const again = await repository.createOnce({ userId: 'u', title: 't', description: null }, request);
    expect(again.replayed).toBe(false);
    expect(again.task.id).not.toBe(first.task.id);
  });

  it('moves updatedAt forward on every modification, even when the clock steps back', async () => {
    let now = new Date('2026-01-02T00:00:00Z');
    const repository = new InMemoryTaskRepository({ now: () => now });
    const task = await repository.create({ userId: 'u', title: 't', description: null });
    now = new Date('2026-01-01T00:00:00Z');
    const toggled = await repository.toggleCompletion('u', task.id);
    expect(toggled!.updatedAt.getTime()).toBe(task.createdAt.getTime() + 1);
  });
});
