import { type Clock, systemClock } from '../clock.js';
import {
  type CreatedTask,
  type ExpectedVersions,
  IDEMPOTENCY_KEY_TTL_HOURS,
  type IdempotentRequest,
  type NewTask,
  Task,
  type TaskChanges,
  type TaskListQuery,
  type TaskOrder,
  type TaskPage,
} from '../task.js';
import { IdempotencyKeyReusedError, InvalidCursorError, TaskChangedError, TaskLimitReachedError } from '../task-errors.js';
import type { TaskRepository } from '../task-repository.js';

/**
 * A complete `TaskRepository` kept in process memory: the fast tests run on it, and the shared contract
 * suite holds it to the same behaviour as the PostgreSQL adapter.
 */
export class InMemoryTaskRepository implements TaskRepository {
  private readonly tasks = new Map<number, Task>();
  private readonly idempotencyKeys = new Map<string, { fingerprint: string; task: Task; expiresAt: number }>();
  private lastId = 0;
  private maxTasksPerUser = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async create(task: NewTask): Promise<Task> {
    return this.insert(task);
  }

  async createOnce(task: NewTask, request: IdempotentRequest): Promise<CreatedTask> {
    const slot = JSON.stringify([task.userId, request.key]);
    const remembered = this.idempotencyKeys.get(slot);
    if (remembered && remembered.expiresAt > this.clock.now().getTime()) {
      if (remembered.fingerprint !== request.fingerprint) throw new IdempotencyKeyReusedError();
      return { task: remembered.task, replayed: true };
    }
    const created = this.insert(task);
    const expiresAt = this.clock.now().getTime() + IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000;
    this.idempotencyKeys.set(slot, { fingerprint: request.fingerprint, task: created, expiresAt });
    return { task: created, replayed: false };
  }

  async forgetExpiredIdempotencyKeys(): Promise<number> {
    const now = this.clock.now().getTime();
    let forgotten = 0;
    for (const [slot, remembered] of this.idempotencyKeys) {
      if (remembered.expiresAt <= now && this.idempotencyKeys.delete(slot)) forgotten++;
    }
    return forgotten;
  }

  async limitTasksPerUser(max: number): Promise<void> {
    this.maxTasksPerUser = max;
  }

  async list(userId: string, query: TaskListQuery): Promise<TaskPage> {
    const compare = comparator(query.order);
    const after = query.after === undefined ? undefined : decodeCursor(query.after, query.order);
    const matching = [...this.tasks.values()]
      .filter((task) => task.userId === userId && (query.completed === undefined || task.completed === query.completed))
      .filter((task) => after === undefined || compare(task, after) > 0)
      .sort(compare);
    if (query.limit === undefined || matching.length <= query.limit) return { tasks: matching, nextCursor: null };
    const tasks = matching.slice(0, query.limit);
    return { tasks, nextCursor: encodeCursor(tasks[tasks.length - 1]!, query.order) };
  }

  async get(userId: string, id: number): Promise<Task | null> {
    return this.find(userId, id);
  }

  async update(userId: string, id: number, changes: TaskChanges, expected?: ExpectedVersions): Promise<Task | null> {
    const task = this.find(userId, id, expected);
    if (!task) return null;
    return this.replace(task, {
      title: changes.title ?? task.title,
      description: changes.description === undefined ? task.description : changes.description,
      completed: changes.completed ?? task.completed,
    });
  }

  async delete(userId: string, id: number, expected?: ExpectedVersions): Promise<boolean> {
    return this.find(userId, id, expected) !== null && this.tasks.delete(id);
  }

  async toggleCompletion(userId: string, id: number, expected?: ExpectedVersions): Promise<Task | null> {
    const task = this.find(userId, id, expected);
    if (!task) return null;
    return this.replace(task, { title: task.title, description: task.description, completed: !task.completed });
  }

  private insert(task: NewTask): Task {
    if (this.maxTasksPerUser > 0) {
      let owned = 0;
      for (const existing of this.tasks.values()) if (existing.userId === task.userId) owned++;
      if (owned >= this.maxTasksPerUser) throw new TaskLimitReachedError(this.maxTasksPerUser);
    }
    const now = this.clock.now();
    const created = new Task(++this.lastId, task.userId, task.title, task.description, false, now, now);
    this.tasks.set(created.id, created);
    return created;
  }

  // Synchronous, so that a read and the write that follows it can never interleave with another call.
  private find(userId: string, id: number, expected?: ExpectedVersions): Task | null {
    const task = this.tasks.get(id);
    if (task?.userId !== userId) return null;
    if (expected && !expected.includes(task.version)) throw new TaskChangedError(id);
    return task;
  }

  private replace(task: Task, fields: Pick<Task, 'title' | 'description' | 'completed'>): Task {
    // Like the SQL adapter: at least 1 ms after the previous modification, whatever the clock says.
    const now = new Date(Math.max(this.clock.now().getTime(), task.updatedAt.getTime() + 1));
    const updated = new Task(task.id, task.userId, fields.title, fields.description, fields.completed, task.createdAt, now, task.version + 1);
    this.tasks.set(task.id, updated);
    return updated;
  }
}

type SortKey = Pick<Task, 'id' | 'createdAt' | 'updatedAt' | 'title'>;

/** Orders strings by code point, as PostgreSQL's "C" collation orders their UTF-8 bytes. */
function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

function comparator(order: TaskOrder): (a: SortKey, b: SortKey) => number {
  const sign = order.direction === 'asc' ? 1 : -1;
  const byField =
    order.field === 'title'
      ? (a: SortKey, b: SortKey) => compareCodePoints(a.title, b.title)
      : (a: SortKey, b: SortKey) => {
          const field = order.field as 'createdAt' | 'updatedAt';
          return a[field].getTime() - b[field].getTime();
        };
  return (a, b) => sign * (byField(a, b) || a.id - b.id);
}

function encodeCursor(task: Task, order: TaskOrder): string {
  const value = order.field === 'title' ? task.title : task[order.field].toISOString();
  return Buffer.from(JSON.stringify([`${order.field}:${order.direction}`, value, task.id])).toString('base64url');
}

function decodeCursor(cursor: string, order: TaskOrder): SortKey {
  try {
    const [key, value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string, number];
    if (key !== `${order.field}:${order.direction}` || typeof value !== 'string' || !Number.isSafeInteger(id) || id < 1) throw new Error();
    if (order.field === 'title' && (!value.isWellFormed() || value.includes('\u0000'))) throw new Error();
    const date = new Date(order.field === 'title' ? 0 : value);
    // Only the exact form this adapter issues: ISO-8601 UTC with milliseconds.
    if (Number.isNaN(date.getTime()) || (order.field !== 'title' && date.toISOString() !== value)) throw new Error();
    return { id, title: value, createdAt: date, updatedAt: date };
  } catch {
    throw new InvalidCursorError();
  }
}
