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

/** Reads the pool behind MikroORM (knex's tarn pool); zeros before the first connection exists. */
export function poolStats(orm: PostgresOrm): PoolStats {
  const pool = orm.em.getConnection().getKnex().client.pool;
  if (!pool) return { inUse: 0, idle: 0, pending: 0, max: 0 };
  return { inUse: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
}
