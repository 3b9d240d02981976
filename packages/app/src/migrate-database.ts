import { createMikroOrm, runMigrations } from '@tasks/adapters-postgres';
import type { Config } from './config.js';

/**
 * Applies pending migrations over a connection pool of their own to `databaseUrl` (the direct URL when a
 * pooler stands in front of the service's), closed again afterwards. Returns the migrations applied.
 */
export async function migrateDatabase(databaseUrl: string, config: Config): Promise<string[]> {
  const orm = await createMikroOrm({
    databaseUrl,
    // Two: the migrator checks the database on a connection of its own beside the locked transaction.
    poolMax: 2,
    idleTimeoutMs: config.dbIdleTimeoutMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    // DDL on a large table may take long; it must not be cut off half-way.
    statementTimeoutMs: 0,
  });
  try {
    return await runMigrations(orm);
  } finally {
    await orm.close();
  }
}
