import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PostgresOrm, runMigrations } from '@tasks/adapters-postgres';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createContainer } from './container.js';
import { type EmbeddedDatabase, startEmbeddedDatabase } from './embedded-database.js';
import { migrateDatabase } from './migrate-database.js';
import { TOKENS } from './tokens.js';

/** The running service: its address, and how to stop it without losing a request. */
export interface TaskService {
  readonly port: number;
  readonly url: string;
  /**
   * Stops the service without losing a request: `/readyz` answers 503 at once, requests are still
   * accepted and served for `drainMs` (so a load balancer can notice and route elsewhere), then the
   * listener closes, in-flight requests finish (up to the shutdown timeout), the pool closes and an
   * embedded database stops.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

// Above the idle timeout of common load balancers (60 s on AWS ALB and GCP), so the balancer, not the
// service, closes idle connections and never sends a request into a socket that is being closed.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const REQUEST_TIMEOUT_MS = 30_000;
// Expired keys are already ignored when a request arrives, and a token older than the retention already
// gets 410; deleting old keys and tombstones only keeps the tables small.
const CLEANUP_INTERVAL_MS = 15 * 60_000;

/**
 * Starts the service: the database (external, or embedded when `databaseUrl` is unset), migrations,
 * the container and the HTTP server. If any step fails, what was started is stopped again.
 */
export async function startTaskService(config: Config, logger: Logger): Promise<TaskService> {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => logger.error({ err: error }, 'cleanup failed'));
  };
  try {
    let embedded: EmbeddedDatabase | undefined;
    if (!config.databaseUrl) {
      if (config.production) {
        logger.warn(
          { dataDir: config.dataDir },
          'DATABASE_URL is unset in production: the tasks go to an embedded PostgreSQL under DATA_DIR on this machine (in a container, they are lost with it); set DATABASE_URL',
        );
      }
      embedded = await startEmbeddedDatabase(config.dataDir, logger);
      cleanups.push(() => embedded!.stop());
    }
    const container = createContainer({ ...config, databaseUrl: config.databaseUrl ?? embedded!.url }, logger);
    const orm = await container.getAsync(TOKENS.MikroOrm);
    cleanups.push(() => orm.close());
    if (config.migrateOnStart) {
      const applied = await migrate(orm, config);
      logger.info({ applied, direct: config.databaseUrlUnpooled !== undefined }, applied.length ? 'migrations applied' : 'database schema is up to date');
    }
    const tasks = await container.getAsync(TOKENS.TaskRepository);
    // Every instance states the limit it was configured with; the database keeps one for all of them.
    await tasks.limitTasksPerUser(config.maxTasksPerUser);
    // At shutdown the purge stops after the batch in progress, which is waited for, before the pool closes.
    const stopPurge = new AbortController();
    let purging: Promise<unknown> | undefined;
    const cleanup = setInterval(() => {
      tasks.forgetExpiredIdempotencyKeys().then(
        (forgotten) => forgotten > 0 && logger.info({ forgotten }, 'expired idempotency keys deleted'),
        (error: unknown) => logger.warn({ err: error }, 'could not delete expired idempotency keys'),
      );
      // A backlog may take longer than the interval: one purge at a time.
      purging ??= tasks
        .forgetDeletions(config.changesRetentionDays, stopPurge.signal)
        .then(
          (forgotten) => forgotten > 0 && logger.info({ forgotten }, 'tombstones older than the change retention deleted'),
          (error: unknown) => logger.warn({ err: error }, 'could not delete old tombstones'),
        )
        .finally(() => (purging = undefined));
    }, CLEANUP_INTERVAL_MS);
    cleanup.unref();
    cleanups.push(async () => {
      clearInterval(cleanup);
      stopPurge.abort();
      await purging;
    });
    const shared = await container.getAsync(TOKENS.SharedRateLimitStore);
    if (shared) cleanups.push(() => shared.close());
    const useCases = await container.getAsync(TOKENS.TaskUseCases);
    cleanups.push(async () => useCases.changeWatcher.stop());
    const app = await container.getAsync(TOKENS.HttpApp);
    const streams = await container.getAsync(TOKENS.ChangeStreams);
    const readiness = await container.getAsync(TOKENS.Readiness);
    const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, app);
    server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
    await listen(server, config.port, config.host);
    let drainMs = 0;
    cleanups.push(async () => {
      readiness.markStopping();
      if (drainMs > 0) {
        logger.info({ drainMs }, 'not ready: still serving while load balancers notice');
        await new Promise((resolve) => setTimeout(resolve, drainMs));
      }
      // Live streams would run on (until their client goes or its token lapses): they end now, and their
      // clients reconnect elsewhere with the id of the last event they received.
      streams.close();
      await closeServer(server, config.shutdownTimeoutMs, logger);
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;
    logger.info({ url, database: embedded ? 'embedded' : 'external' }, 'task service listening');
    return {
      port,
      url,
      close: (options = {}) => {
        drainMs = options.drainMs ?? 0;
        return cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/**
 * Applies pending migrations: over the direct URL when one is configured (a pooler in front of the
 * database is for the service's short statements, not for DDL), else over the service's own pool.
 */
function migrate(orm: PostgresOrm, config: Config): Promise<string[]> {
  return config.databaseUrlUnpooled === undefined ? runMigrations(orm) : migrateDatabase(config.databaseUrlUnpooled, config);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting connections and waits for in-flight requests, up to `timeoutMs`, then cuts the rest. */
function closeServer(server: Server, timeoutMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    // Responses still to be written tell their clients not to reuse the connection.
    server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
    // A keep-alive connection becomes idle once its in-flight response is sent; close it then, not
    // after the keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      logger.warn('shutdown timeout: closing connections with requests still in flight');
      server.closeAllConnections();
    }, timeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
  });
}
