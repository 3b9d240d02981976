import type { MikroORM } from '@mikro-orm/core';

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

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/** Reads the pool behind MikroORM (knex's tarn pool); zeros before the first connection exists. */
export function poolStats(orm: MikroORM): PoolStats {
  const connection = orm.em.getDriver().getConnection() as unknown as { getKnex(): { client: { pool?: TarnPool } } };
  const pool = connection.getKnex().client.pool;
  if (!pool) return { inUse: 0, idle: 0, pending: 0, max: 0 };
  return { inUse: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
}
