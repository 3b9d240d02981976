export { type Config, ConfigError, loadConfig } from './config.js';
export { createContainer } from './container.js';
export { type EmbeddedDatabase, startEmbeddedDatabase } from './embedded-database.js';
export { createLogger } from './logger.js';
export { startTaskService, type TaskService } from './task-service.js';
export { TOKENS } from './tokens.js';
