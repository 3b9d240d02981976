/** The source of "now" for adapters that keep time themselves (the database keeps its own). */
export interface Clock {
  now(): Date;
}

/** The machine's wall clock. */
export const systemClock: Clock = { now: () => new Date() };
