export { createMikroOrm, type PostgresOptions, type PostgresOrm } from './create-mikro-orm.js';
export { MikroOrmTaskRepository } from './mikro-orm-task-repository.js';
export { runMigrations } from './run-migrations.js';
export { pingDatabase } from './ping-database.js';
export { parsePostgresUrl, InvalidDatabaseUrlError, type PostgresConnection } from './postgres-connection.js';
export { isStorageFailure } from './storage-failure.js';
export { TaskSchema } from './task-schema.js';
export { IdempotencyKeySchema, type IdempotencyKey } from './idempotency-key-schema.js';
export { poolStats, type PoolStats } from './pool-stats.js';
