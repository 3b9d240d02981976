import type { MikroORM } from '@mikro-orm/core';
import pg from 'pg';

interface PooledClient {
  query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

interface KnexClient {
  acquireConnection(): Promise<PooledClient>;
  releaseConnection(connection: PooledClient): Promise<void>;
}

/** A SQL statement prepared once per connection under a stable name, then only bound and executed. */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * Runs named, prepared statements on connections of MikroORM's own pool (knex's), so pool size, acquire
 * timeout, idle release and dead-connection handling stay exactly as configured, while a hot query skips
 * the query builder and PostgreSQL skips parsing and planning it again.
 */
export class PooledStatements {
  private readonly client: KnexClient;

  constructor(orm: MikroORM) {
    const connection = orm.em.getDriver().getConnection() as unknown as { getKnex(): { client: KnexClient } };
    this.client = connection.getKnex().client;
  }

  /**
   * Runs `work` in one transaction on one connection; `run` executes statements inside it. Commits when
   * `work` resolves, rolls back when it throws.
   */
  async transaction<T>(work: (run: PooledStatements['rows']) => Promise<T>): Promise<T> {
    const connection = await this.client.acquireConnection();
    try {
      await connection.query({ text: 'begin' });
      try {
        const result = await work(async <R extends pg.QueryResultRow>(statement: NamedStatement, values: unknown[]) => {
          const outcome = await connection.query<R>({ name: statement.name, text: statement.text, values });
          return { rows: outcome.rows, rowCount: outcome.rowCount ?? 0 };
        });
        await connection.query({ text: 'commit' });
        return result;
      } catch (error) {
        await connection.query({ text: 'rollback' }).catch(() => {});
        throw error;
      }
    } finally {
      await this.client.releaseConnection(connection);
    }
  }

  /** Executes the statement with the values and returns its rows. */
  async rows<R extends pg.QueryResultRow>(statement: NamedStatement, values: unknown[]): Promise<{ rows: R[]; rowCount: number }> {
    const connection = await this.client.acquireConnection();
    try {
      const result = await connection.query<R>({ name: statement.name, text: statement.text, values });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } finally {
      await this.client.releaseConnection(connection);
    }
  }
}
