import type { PostgresOrm } from './create-mikro-orm.js';

/** A snapshot of the connection pool. */
export interface PoolStats {
  /** Connections running a query for someone. */
  readonly inUse: number;
  /** Open connections waiting to be used. */
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly pending: number;
  /** Most connections the pool may open. */
  readonly max: number;
}

/** The pool behind MikroORM: knex's tarn pool, for reading its counters and events, never for queries. */
export function knexPool(orm: PostgresOrm) {
  return orm.em.getConnection().getKnex().client.pool;
}

/** Reads the pool behind MikroORM; zeros before the pool exists. */
export function poolStats(orm: PostgresOrm): PoolStats {
  const pool = knexPool(orm);
  if (!pool) return { inUse: 0, idle: 0, pending: 0, max: 0 };
  return { inUse: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
}
