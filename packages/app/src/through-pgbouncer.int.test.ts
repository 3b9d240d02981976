import { createHttpApp } from '@tasks/adapters-http';
import { createMikroOrm, MikroOrmTaskRepository, type PostgresOrm, runMigrations } from '@tasks/adapters-postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeHttpContract } from '../../../test/describe-http-contract.js';
import { freshDatabaseUrl, pooledUrl } from '../../../test/postgres/fresh-database.js';

// Through PgBouncer in transaction mode, with its default settings: what Neon's pooled endpoint is.
// Without the binary, vitest.config.ts leaves this file out and the run says so.
if (inject('pgBouncerPort') === null) throw new Error('no PgBouncer: this file needs `apt-get install pgbouncer`');
{
  const pool = { poolMax: 10, idleTimeoutMs: 10_000, connectTimeoutMs: 2_000, statementTimeoutMs: 10_000 };
  let orm: PostgresOrm;

  beforeAll(async () => {
    const databaseUrl = pooledUrl(await freshDatabaseUrl())!;
    orm = await createMikroOrm({ databaseUrl, ...pool });
    await runMigrations(orm);
  });
  afterAll(async () => {
    await orm?.close(true);
  });

  describeHttpContract('The service on MikroORM through PgBouncer (transaction pooling)', {
    app: (useCases, options) => createHttpApp({ useCases, corsOrigins: ['http://localhost:3000'], ...options }),
    base: '/api',
    ownBodyParser: true,
    async freshRepository() {
      await orm.em.getConnection().execute('truncate tasks, idempotency_keys restart identity');
      return new MikroOrmTaskRepository(orm.em);
    },
  });

  describe('MikroORM through PgBouncer', () => {
    it('applies the migrations through the pooler, each once, when instances start together', async () => {
      const databaseUrl = pooledUrl(await freshDatabaseUrl())!;
      const orms = await Promise.all([1, 2, 3].map(() => createMikroOrm({ databaseUrl, ...pool })));
      try {
        const applied = await Promise.all(orms.map((instance) => runMigrations(instance)));
        expect(applied.flat()).toHaveLength(new Set(applied.flat()).size);
        expect(applied.flat().length).toBeGreaterThan(0);
        expect(await orms[0]!.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
      } finally {
        await Promise.all(orms.map((instance) => instance.close(true)));
      }
    });

    it('ends a statement past the statement timeout with storage unavailable, and the pool keeps working', async () => {
      const databaseUrl = pooledUrl(await freshDatabaseUrl())!;
      const impatient = await createMikroOrm({ databaseUrl, ...pool, poolMax: 1, statementTimeoutMs: 300 });
      try {
        const started = Date.now();
        await expect(impatient.em.fork().getConnection().execute('select pg_sleep(3)')).rejects.toThrow(/Query read timeout/);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(await impatient.em.fork().getConnection().execute('select 1 as one')).toEqual([{ one: 1 }]);
      } finally {
        await impatient.close(true);
      }
    });
  });
}
