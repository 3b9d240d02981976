import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

// Any fixed number works; it only has to be the same for every instance of the service.
const MIGRATION_LOCK_KEY = 7_264_115_001;

/**
 * Applies pending migrations in one transaction that first takes an advisory lock, so several instances
 * starting together apply each migration exactly once. Returns the names of the migrations applied.
 *
 * The transaction is the connection's, not `em.transactional`'s: that one tracks its context in an
 * AsyncLocalStorage, and on Node.js 20 using one installs promise hooks that every promise of the
 * process then pays for, for good (a tenth of a request's CPU in the benchmark).
 */
export async function runMigrations(orm: MikroORM): Promise<string[]> {
  const connection = (orm.em as EntityManager).getConnection();
  return connection.transactional(async (trx) => {
    await connection.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY], 'run', trx);
    const applied = await orm.getMigrator().up({ transaction: trx });
    return applied.map((migration) => migration.name);
  });
}
