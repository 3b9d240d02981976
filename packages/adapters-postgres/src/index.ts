export { createMikroOrm, type PostgresOptions, type PostgresOrm } from './create-mikro-orm.js';
export { type IdempotencyKey, IdempotencyKeySchema } from './idempotency-key-schema.js';
export { MikroOrmTaskRepository } from './mikro-orm-task-repository.js';
export { pingDatabase } from './ping-database.js';
export { type PoolStats, poolStats } from './pool-stats.js';
export { InvalidDatabaseUrlError, type PostgresConnection, parsePostgresUrl } from './postgres-connection.js';
export { runMigrations } from './run-migrations.js';
export { isStorageFailure } from './storage-failure.js';
export { TaskSchema } from './task-schema.js';
