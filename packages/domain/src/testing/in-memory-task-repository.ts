import { type ChangeBatch, type FeedPosition, isAfter, positionOf, type TaskChange } from '../change-feed.js';
import { type Clock, systemClock } from '../clock.js';
import {
  type CreatedTask,
  type ExpectedVersions,
  IDEMPOTENCY_KEY_TTL_HOURS,
  type IdempotentRequest,
  type NewTask,
  Task,
  type TaskChanges,
  type TaskFilter,
  type TaskListQuery,
  type TaskOrder,
  type TaskPage,
} from '../task.js';
import { IdempotencyKeyReusedError, InvalidCursorError, TaskChangedError, TaskLimitReachedError } from '../task-errors.js';
import type { FeedHead, TaskRepository } from '../task-repository.js';

/**
 * A complete `TaskRepository` kept in process memory: the fast tests run on it, and the shared contract
 * suite holds it to the same behaviour as the PostgreSQL adapter.
 */
export class InMemoryTaskRepository implements TaskRepository {
  private readonly tasks = new Map<number, Task>();
  private readonly idempotencyKeys = new Map<string, { fingerprint: string; task: Task; expiresAt: number }>();
  private lastId = 0;
  private maxTasksPerUser = 0;
  /** Per user: the last change number, and the last one whose tombstones were forgotten. */
  private readonly feeds = new Map<string, { latest: number; forgottenThrough: number }>();
  /** The change number of each task's last change. */
  private readonly changeOf = new Map<number, number>();
  private tombstones: { userId: string; change: number; taskId: number; deletedAt: Date }[] = [];

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
      .filter((task) => matchesWords(task, query.words))
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
    if (this.find(userId, id, expected) === null) return false;
    this.remove([id], userId, this.nextChange(userId));
    return true;
  }

  async updateMatching(userId: string, filter: TaskFilter, changes: TaskChanges): Promise<number> {
    const matching = this.matching(userId, filter).filter(
      (task) =>
        (changes.title !== undefined && changes.title !== task.title) ||
        (changes.description !== undefined && changes.description !== task.description) ||
        (changes.completed !== undefined && changes.completed !== task.completed),
    );
    if (matching.length === 0) return 0;
    const change = this.nextChange(userId);
    for (const task of matching) {
      this.replace(
        task,
        {
          title: changes.title ?? task.title,
          description: changes.description === undefined ? task.description : changes.description,
          completed: changes.completed ?? task.completed,
        },
        change,
      );
    }
    return matching.length;
  }

  async deleteMatching(userId: string, filter: TaskFilter): Promise<number> {
    const matching = this.matching(userId, filter);
    if (matching.length > 0)
      this.remove(
        matching.map((task) => task.id),
        userId,
        this.nextChange(userId),
      );
    return matching.length;
  }

  async changes(userId: string, after: FeedPosition, limit: number): Promise<ChangeBatch> {
    const entries: TaskChange[] = [
      ...[...this.tasks.values()]
        .filter((task) => task.userId === userId)
        .map((task) => ({ kind: 'upsert' as const, change: this.changeOf.get(task.id)!, task })),
      ...this.tombstones
        .filter((t) => t.userId === userId)
        .map((t) => ({ kind: 'delete' as const, change: t.change, taskId: t.taskId, deletedAt: t.deletedAt })),
    ]
      .filter((entry) => isAfter(positionOf(entry), after))
      .sort((a, b) => a.change - b.change || positionOf(a).taskId - positionOf(b).taskId);
    return { changes: entries.slice(0, limit), more: entries.length > limit, forgottenThrough: this.feeds.get(userId)?.forgottenThrough ?? 0 };
  }

  async feedHeads(userIds: readonly string[]): Promise<Map<string, FeedHead>> {
    const heads = new Map<string, FeedHead>();
    for (const userId of userIds) {
      const feed = this.feeds.get(userId);
      if (feed) heads.set(userId, { ...feed });
    }
    return heads;
  }

  async forgetDeletions(days: number): Promise<number> {
    const before = this.clock.now().getTime() - days * 86_400_000;
    const forgotten = this.tombstones.filter((t) => t.deletedAt.getTime() < before);
    this.tombstones = this.tombstones.filter((t) => t.deletedAt.getTime() >= before);
    for (const t of forgotten) {
      const feed = this.feeds.get(t.userId)!;
      feed.forgottenThrough = Math.max(feed.forgottenThrough, t.change);
    }
    return forgotten.length;
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
    this.changeOf.set(created.id, this.nextChange(task.userId));
    return created;
  }

  /** The user's next change number; a statement that touches many tasks takes one for all of them. */
  private nextChange(userId: string): number {
    const feed = this.feeds.get(userId) ?? { latest: 0, forgottenThrough: 0 };
    this.feeds.set(userId, feed);
    return ++feed.latest;
  }

  private matching(userId: string, filter: TaskFilter): Task[] {
    return [...this.tasks.values()]
      .filter((task) => task.userId === userId && (filter.completed === undefined || task.completed === filter.completed))
      .filter((task) => matchesWords(task, filter.words));
  }

  private remove(ids: number[], userId: string, change: number): void {
    const deletedAt = new Date(Math.floor(this.clock.now().getTime()));
    for (const id of ids) {
      this.tasks.delete(id);
      this.changeOf.delete(id);
      this.tombstones.push({ userId, change, taskId: id, deletedAt });
    }
  }

  // Synchronous, so that a read and the write that follows it can never interleave with another call.
  private find(userId: string, id: number, expected?: ExpectedVersions): Task | null {
    const task = this.tasks.get(id);
    if (task?.userId !== userId) return null;
    if (expected && !expected.includes(task.version)) throw new TaskChangedError(id);
    return task;
  }

  private replace(task: Task, fields: Pick<Task, 'title' | 'description' | 'completed'>, change = this.nextChange(task.userId)): Task {
    // Like the SQL adapter: at least 1 ms after the previous modification, whatever the clock says.
    const now = new Date(Math.max(this.clock.now().getTime(), task.updatedAt.getTime() + 1));
    const updated = new Task(task.id, task.userId, fields.title, fields.description, fields.completed, task.createdAt, now, task.version + 1);
    this.tasks.set(task.id, updated);
    this.changeOf.set(task.id, change);
    return updated;
  }
}

/** Whether every word is in the task's title or description, ignoring case, as PostgreSQL's ILIKE does. */
function matchesWords(task: Task, words: readonly string[] | undefined): boolean {
  if (!words) return true;
  const text = `${task.title} ${task.description ?? ''}`.toLowerCase();
  return words.every((word) => text.includes(word.toLowerCase()));
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
