import { ConfigError, loadConfig } from './config.js';
import { environmentWithDotEnv } from './environment.js';
import { createLogger } from './logger.js';
import { migrateDatabase } from './migrate-database.js';

// Applies pending migrations and exits: the separate deploy step for setups that run the service with
// MIGRATE_ON_START=false. Uses DATABASE_URL_UNPOOLED (the direct URL) when set, else DATABASE_URL.
try {
  const config = loadConfig(environmentWithDotEnv());
  const databaseUrl = config.databaseUrlUnpooled ?? config.databaseUrl;
  if (!databaseUrl) throw new ConfigError('DATABASE_URL', 'must be set to run migrations (or DATABASE_URL_UNPOOLED, the direct URL)');
  const logger = createLogger(config.logLevel);
  const applied = await migrateDatabase(databaseUrl, config);
  logger.info({ applied }, applied.length ? 'migrations applied' : 'database schema is up to date');
} catch (error) {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
