/**
 * One piece of work at a time, in the order asked for: whole lists share a lane, so however many are
 * streaming, at most one batch of them is read, held in memory and written at once, and the requests
 * of everyone else are served between batches.
 */
export class Lane {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` once everything asked for before it has finished; resolves or rejects as it does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    // The next piece waits for this one to settle, whatever its outcome.
    this.tail = result.catch(() => {});
    return result;
  }
}
