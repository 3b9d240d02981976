import { MikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { IdempotencyKeySchema } from './idempotency-key-schema.js';
import { migrationsList } from './migrations/index.js';
import { parsePostgresUrl } from './postgres-connection.js';
import { TaskCountSchema, TaskSettingsSchema } from './task-limit-schemas.js';
import { TaskSchema } from './task-schema.js';
import { TaskTombstoneSchema } from './task-tombstone-schema.js';

/** MikroORM on PostgreSQL, as `createMikroOrm` opens it. */
export type PostgresOrm = MikroORM<PostgreSqlDriver>;

/** How the service talks to PostgreSQL; every duration is in milliseconds. */
export interface PostgresOptions {
  readonly databaseUrl: string;
  /** Most connections held at once, per process. */
  readonly poolMax: number;
  /** How long an idle connection is kept before it is closed (serverless databases bill for them). */
  readonly idleTimeoutMs: number;
  /** How long to wait for a new connection, and for a free one from the pool, before giving up (503). */
  readonly connectTimeoutMs: number;
  /**
   * Longest a statement may run before it fails as storage unavailable (503); 0 for no limit. Kept by
   * the client, so that it works through any pooler (a transaction pooler refuses the `statement_timeout`
   * startup parameter and loses a session `SET`).
   */
  readonly statementTimeoutMs: number;
  /** Receives MikroORM's own messages (migrations applied); silent when absent. */
  readonly log?: (message: string) => void;
}

/** A connection of the pool, as the pool's validation sees it: `readyForQuery` is the driver's. */
interface PooledConnection {
  readonly readyForQuery?: boolean;
}

/**
 * Opens MikroORM on PostgreSQL with a pool suited to a serverless database and to transaction poolers
 * (Neon's pooled endpoint, PgBouncer): no startup parameter beyond `application_name`, no session
 * state, no prepared statements. Connections open lazily.
 */
export async function createMikroOrm(options: PostgresOptions): Promise<PostgresOrm> {
  const connection = parsePostgresUrl(options.databaseUrl);
  const knexLog = (message: unknown) => options.log?.(String(message));
  return MikroORM.init<PostgreSqlDriver>({
    driver: PostgreSqlDriver,
    entities: [TaskSchema, IdempotencyKeySchema, TaskCountSchema, TaskSettingsSchema, TaskTombstoneSchema],
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    dbName: connection.database,
    // The database exists already (the embedded one is created by the app); nothing is checked at init.
    ensureDatabase: false,
    connect: false,
    discovery: { warnWhenNoEntities: false },
    colors: false,
    logger: options.log ?? (() => {}),
    extensions: [Migrator],
    migrations: { migrationsList, snapshot: false, transactional: true, allOrNothing: true },
    pool: { min: 0, max: options.poolMax, idleTimeoutMillis: options.idleTimeoutMs },
    driverOptions: {
      pool: {
        // A connection whose statement timed out is still running it: never hand it out again.
        validate: (pooled: PooledConnection) => pooled.readyForQuery !== false,
      },
      // knex's own default is 60 s: an outage would hang requests instead of answering 503.
      acquireConnectionTimeout: options.connectTimeoutMs,
      // knex writes connection errors to the console itself; they belong in the service's log.
      log: { warn: knexLog, error: knexLog, deprecate: knexLog, debug: () => {} },
      connection: {
        // MikroORM drops sslmode from a URL; TLS is passed to the driver explicitly instead.
        ssl: connection.ssl,
        application_name: connection.applicationName ?? 'tasks',
        connectionTimeoutMillis: options.connectTimeoutMs,
        // The driver's own timeout, not the server's statement_timeout (a startup parameter).
        ...(options.statementTimeoutMs > 0 ? { query_timeout: options.statementTimeoutMs } : {}),
        keepAlive: true,
      },
    },
  });
}
