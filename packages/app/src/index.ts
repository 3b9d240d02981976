export { loadConfig, ConfigError, type Config } from './config.js';
export { createContainer } from './container.js';
export { startTaskService, type TaskService } from './task-service.js';
export { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';
export { createLogger } from './logger.js';
export { TOKENS } from './tokens.js';
