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
