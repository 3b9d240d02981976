import { CachedTokenVerifier, ChangeStreams, createHttpApp, JoseTokenVerifier } from '@tasks/adapters-http';
import { createMikroOrm, MikroOrmTaskRepository, PoolPressure, pingDatabase, poolStats } from '@tasks/adapters-postgres';
import { type TaskUseCases, taskUseCasesOn } from '@tasks/domain';
import { Container, ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { connectSharedRateLimitStore, type SharedRateLimitStore } from './rate-limit-store.js';
import { Readiness } from './readiness.js';
import { TOKENS } from './tokens.js';

// A load balancer probes every second or so; an answer slower than this is as bad as none.
const PING_TIMEOUT_MS = 1_000;

/** The PostgreSQL adapter: one MikroORM (one pool) for the process, and the repository port on it. */
const postgresModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.MikroOrm)
    .toResolvedValue(
      (config: Config & { databaseUrl: string }, logger: Logger) =>
        createMikroOrm({
          log: (message) => logger.info({ component: 'database' }, message),
          databaseUrl: config.databaseUrl,
          poolMax: config.dbPoolMax,
          idleTimeoutMs: config.dbIdleTimeoutMs,
          connectTimeoutMs: config.dbConnectTimeoutMs,
          statementTimeoutMs: config.dbStatementTimeoutMs,
        }),
      [TOKENS.Config, TOKENS.Logger],
    )
    .inSingletonScope();
  bind(TOKENS.TaskRepository)
    .toResolvedValue((orm) => new MikroOrmTaskRepository(orm.em), [TOKENS.MikroOrm])
    .inSingletonScope();
  bind(TOKENS.PoolPressure)
    .toResolvedValue((orm) => PoolPressure.of(orm), [TOKENS.MikroOrm])
    .inSingletonScope();
});

/** The domain's use cases, all on the repository port. */
const domainModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.TaskUseCases)
    .toResolvedValue(
      (tasks, config: Config, logger: Logger) =>
        taskUseCasesOn(tasks, {
          changesRetentionDays: config.changesRetentionDays,
          changesPollMs: config.changesPollMs,
          // Live streams wait for the next poll; an operator should know why they went quiet.
          onWatchError: (error) => logger.warn({ err: error }, 'could not check the change feeds of live streams'),
        }),
      [TOKENS.TaskRepository, TOKENS.Config, TOKENS.Logger],
    )
    .inSingletonScope();
});

/** Where rate limits are counted: Redis when configured (shared by instances), else each instance itself. */
const rateLimitModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.SharedRateLimitStore)
    .toResolvedValue(
      (config: Config, logger: Logger) =>
        config.rateLimitPerMinute !== undefined && config.redisUrl !== undefined ? connectSharedRateLimitStore(config.redisUrl, logger) : null,
      [TOKENS.Config, TOKENS.Logger],
    )
    .inSingletonScope();
});

/** Readiness and metrics: what operators and load balancers see of the service. */
const operationsModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Readiness)
    .toResolvedValue((orm) => new Readiness(() => pingDatabase(orm, PING_TIMEOUT_MS)), [TOKENS.MikroOrm])
    .inSingletonScope();
  bind(TOKENS.MetricsRegistry)
    .toResolvedValue(
      (orm, streams: ChangeStreams) =>
        createMetricsRegistry(
          () => poolStats(orm),
          () => streams.size,
        ),
      [TOKENS.MikroOrm, TOKENS.ChangeStreams],
    )
    .inSingletonScope();
});

/** The HTTP adapter: the Express application built from the use cases, and its live change streams. */
const httpModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.ChangeStreams)
    .toResolvedValue(
      (useCases: TaskUseCases, config: Config, logger: Logger) =>
        new ChangeStreams({
          readChanges: useCases.readChanges,
          watcher: useCases.changeWatcher,
          maxStreamsPerUser: config.maxStreamsPerUser,
          heartbeatMs: config.streamHeartbeatSeconds * 1000,
          logger,
        }),
      [TOKENS.TaskUseCases, TOKENS.Config, TOKENS.Logger],
    )
    .inSingletonScope();
  bind(TOKENS.HttpApp)
    .toResolvedValue(
      (
        useCases: TaskUseCases,
        config: Config,
        logger: Logger,
        health: Readiness,
        metricsRegistry: Registry,
        shared: SharedRateLimitStore | null,
        pressure: PoolPressure,
        changeStreams: ChangeStreams,
      ) =>
        createHttpApp({
          useCases,
          changeStreams,
          corsOrigins: config.corsOrigins,
          bodyLimitBytes: config.bodyLimitBytes,
          logger,
          health,
          metricsRegistry,
          trustProxy: config.trustProxy,
          // A request that would wait longer than the connect timeout for a connection would get 503
          // after waiting: it gets it at once instead, and the queue drains.
          overloaded: () => pressure.expectedWaitMs() > config.dbConnectTimeoutMs,
          ...(config.auth ? { tokenVerifier: new CachedTokenVerifier(new JoseTokenVerifier(config.auth)) } : {}),
          ...(config.rateLimitPerMinute === undefined
            ? {}
            : { rateLimit: { perMinute: config.rateLimitPerMinute, ...(shared ? { store: shared.store } : {}) } }),
        }),
      [
        TOKENS.TaskUseCases,
        TOKENS.Config,
        TOKENS.Logger,
        TOKENS.Readiness,
        TOKENS.MetricsRegistry,
        TOKENS.SharedRateLimitStore,
        TOKENS.PoolPressure,
        TOKENS.ChangeStreams,
      ],
    )
    .inSingletonScope();
});

/** Wires every package together. The only place that knows all of them. */
export function createContainer(config: Config & { databaseUrl: string }, logger: Logger): Container {
  const container = new Container();
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.load(postgresModule, domainModule, rateLimitModule, operationsModule, httpModule);
  return container;
}
