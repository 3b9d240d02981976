import type { TaskRepository } from './task-repository.js';

/** How often the feeds being watched are checked for new changes unless configured otherwise. */
export const DEFAULT_CHANGES_POLL_MS = 250;

type Listener = () => void;

/**
 * Tells listeners when a user's feed has moved, whichever instance wrote the change: while anyone is
 * watching, it asks the store where the watched feeds stand every `intervalMs`, in one query for all of
 * them, and calls the listeners of each feed that moved. Polling works through a transaction pooler,
 * where LISTEN/NOTIFY does not.
 */
export class ChangeWatcher {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly seen = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly intervalMs = DEFAULT_CHANGES_POLL_MS,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Calls `listener` each time the user's feed moves, until the returned function is called. */
  watch(userId: string, listener: Listener): () => void {
    const set = this.listeners.get(userId) ?? new Set<Listener>();
    this.listeners.set(userId, set);
    set.add(listener);
    this.schedule();
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(userId) === set) {
        this.listeners.delete(userId);
        this.seen.delete(userId);
      }
    };
  }

  /** Stops polling for good; listeners are no longer called. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.stopped || this.listeners.size === 0) return;
    this.timer = setTimeout(() => void this.poll(), this.intervalMs);
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    const users = [...this.listeners.keys()];
    try {
      const heads = await this.tasks.feedHeads(users);
      if (this.stopped) return;
      for (const userId of users) {
        const latest = heads.get(userId)?.latest ?? 0;
        const before = this.seen.get(userId);
        if (!this.listeners.has(userId)) continue;
        this.seen.set(userId, latest);
        // A feed seen for the first time is announced too: its listeners may have started before a change.
        if (before === latest) continue;
        for (const listener of [...(this.listeners.get(userId) ?? [])]) listener();
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.timer = undefined;
      this.schedule();
    }
  }
}
