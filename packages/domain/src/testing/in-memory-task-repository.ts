import { type Clock, systemClock } from '../clock.js';
import { type NewTask, Task, type TaskChanges } from '../task.js';
import type { TaskRepository } from '../task-repository.js';

/**
 * A complete `TaskRepository` kept in process memory: the fast tests run on it, and the shared contract
 * suite holds it to the same behaviour as the PostgreSQL adapter.
 */
export class InMemoryTaskRepository implements TaskRepository {
  private readonly tasks = new Map<number, Task>();
  private lastId = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async create(task: NewTask): Promise<Task> {
    const now = this.clock.now();
    const created = new Task(++this.lastId, task.userId, task.title, task.description, false, now, now);
    this.tasks.set(created.id, created);
    return created;
  }

  async list(userId: string): Promise<Task[]> {
    return [...this.tasks.values()]
      .filter((task) => task.userId === userId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  }

  async get(userId: string, id: number): Promise<Task | null> {
    return this.find(userId, id);
  }

  async update(userId: string, id: number, changes: TaskChanges): Promise<Task | null> {
    const task = this.find(userId, id);
    if (!task) return null;
    return this.replace(task, {
      title: changes.title ?? task.title,
      description: changes.description === undefined ? task.description : changes.description,
      completed: changes.completed ?? task.completed,
    });
  }

  async delete(userId: string, id: number): Promise<boolean> {
    return this.find(userId, id) !== null && this.tasks.delete(id);
  }

  async toggleCompletion(userId: string, id: number): Promise<Task | null> {
    const task = this.find(userId, id);
    if (!task) return null;
    return this.replace(task, { title: task.title, description: task.description, completed: !task.completed });
  }

  // Synchronous, so that a read and the write that follows it can never interleave with another call.
  private find(userId: string, id: number): Task | null {
    const task = this.tasks.get(id);
    return task?.userId === userId ? task : null;
  }

  private replace(task: Task, fields: Pick<Task, 'title' | 'description' | 'completed'>): Task {
    // Like the SQL adapter: at least 1 ms after the previous modification, whatever the clock says.
    const now = new Date(Math.max(this.clock.now().getTime(), task.updatedAt.getTime() + 1));
    const updated = new Task(task.id, task.userId, fields.title, fields.description, fields.completed, task.createdAt, now);
    this.tasks.set(task.id, updated);
    return updated;
  }
}
