import { createMikroOrm, runMigrations } from '@tasks/adapters-postgres';
import { ConfigError, loadConfig } from './config.js';
import { environmentWithDotEnv } from './environment.js';
import { createLogger } from './logger.js';

// Applies pending migrations and exits: the separate deploy step for setups that run the service with
// MIGRATE_ON_START=false. Uses DATABASE_URL_UNPOOLED (the direct URL) when set, else DATABASE_URL.
try {
  const config = loadConfig(environmentWithDotEnv());
  const databaseUrl = config.databaseUrlUnpooled ?? config.databaseUrl;
  if (!databaseUrl) throw new ConfigError('DATABASE_URL', 'must be set to run migrations (or DATABASE_URL_UNPOOLED, the direct URL)');
  const logger = createLogger(config.logLevel);
  const orm = await createMikroOrm({
    databaseUrl,
    poolMax: 2,
    idleTimeoutMs: config.dbIdleTimeoutMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    statementTimeoutMs: 0,
  });
  try {
    const applied = await runMigrations(orm);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database schema is up to date');
  } finally {
    await orm.close();
  }
} catch (error) {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
