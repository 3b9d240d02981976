import { type Config, ConfigError, loadConfig } from './config.js';
import { environmentWithDotEnv } from './environment.js';
import { createLogger } from './logger.js';
import { startTaskService } from './task-service.js';

let config: Config;
try {
  config = loadConfig(environmentWithDotEnv());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // One line, no stack: the person starting the service needs to know which variable to fix.
  process.stderr.write(`Invalid configuration: ${error.message}\n`);
  process.exit(1);
}

const logger = createLogger(config.logLevel);

process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

try {
  const service = await startTaskService(config, logger);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    // SIGTERM comes from an orchestrator whose load balancer may still route here for a moment: stay
    // up, not ready, for SHUTDOWN_DELAY_MS. SIGINT is a person at a terminal: no reason to wait.
    const drainMs = signal === 'SIGTERM' ? config.shutdownDelayMs : 0;
    logger.info({ signal, drainMs }, 'shutting down: finishing in-flight requests');
    await service.close({ drainMs });
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  logger.fatal({ err: error }, `start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  logger.flush();
  process.exit(1);
}
