import type { PostgresOrm } from './create-mikro-orm.js';
import { knexPool } from './pool-stats.js';

/** What pool pressure reads of knex's pool (tarn): its queue, its size, and its events. */
interface ObservedPool {
  numPendingAcquires(): number;
  readonly max: number;
  on(event: 'acquireSuccess', listener: (eventId: number, resource: object) => void): unknown;
  on(event: 'release', listener: (resource: object) => void): unknown;
}

// How much each new hold time moves the average: about the last ten statements count.
const SMOOTHING = 0.1;

/**
 * How long a request arriving now would wait for a database connection: the requests queued before it,
 * times how long a connection is held on average (recent statements), shared over the pool's
 * connections. The service sheds requests that could not be served within the connect timeout anyway.
 */
export class PoolPressure {
  private averageHoldMs = 0;
  private readonly heldSince = new WeakMap<object, number>();

  constructor(private readonly pool: ObservedPool) {
    pool.on('acquireSuccess', (_eventId, resource) => this.heldSince.set(resource, performance.now()));
    pool.on('release', (resource) => {
      const since = this.heldSince.get(resource);
      if (since === undefined) return;
      const held = performance.now() - since;
      this.averageHoldMs = this.averageHoldMs === 0 ? held : this.averageHoldMs + SMOOTHING * (held - this.averageHoldMs);
    });
  }

  /** Pool pressure of the pool behind MikroORM (knex's), read from its counters and events. */
  static of(orm: PostgresOrm): PoolPressure {
    const pool = knexPool(orm);
    if (!pool) throw new Error('MikroORM has no connection pool to observe');
    return new PoolPressure(pool);
  }

  /** Estimated milliseconds a new request would wait for a connection. */
  expectedWaitMs(): number {
    return (this.pool.numPendingAcquires() * this.averageHoldMs) / Math.max(1, this.pool.max);
  }
}
