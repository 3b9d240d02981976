import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

// Any fixed number works; it only has to be the same for every instance of the service.
const MIGRATION_LOCK_KEY = 7_264_115_001;

/**
 * Applies pending migrations in one transaction that first takes an advisory lock, so several instances
 * starting together apply each migration exactly once. Returns the names of the migrations applied.
 */
export async function runMigrations(orm: MikroORM): Promise<string[]> {
  const em = orm.em.fork() as EntityManager;
  return em.transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.getMigrator().up({ transaction: tx.getTransactionContext() });
    return applied.map((migration) => migration.name);
  });
}
