import { CachedTokenVerifier, createHttpApp, JoseTokenVerifier } from '@tasks/adapters-http';
import { createMikroOrm, MikroOrmTaskRepository } from '@tasks/adapters-postgres';
import {
  CreateTask,
  DeleteTask,
  GetTask,
  ListTasks,
  type TaskUseCases,
  ToggleTaskCompletion,
  UpdateTask,
} from '@tasks/domain';
import { Container, ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { Readiness } from './readiness.js';
import { TOKENS } from './tokens.js';

/** The PostgreSQL adapter: one MikroORM (one pool) for the process, and the repository on it. */
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
  bind(TOKENS.MikroOrmTaskRepository).toResolvedValue((orm) => new MikroOrmTaskRepository(orm), [TOKENS.MikroOrm]).inSingletonScope();
  bind(TOKENS.TaskRepository).toResolvedValue((tasks: MikroOrmTaskRepository) => tasks, [TOKENS.MikroOrmTaskRepository]).inSingletonScope();
});

/** The domain's use cases, each on the repository port. */
const domainModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.CreateTask).toResolvedValue((tasks) => new CreateTask(tasks), [TOKENS.TaskRepository]).inSingletonScope();
  bind(TOKENS.ListTasks).toResolvedValue((tasks) => new ListTasks(tasks), [TOKENS.TaskRepository]).inSingletonScope();
  bind(TOKENS.GetTask).toResolvedValue((tasks) => new GetTask(tasks), [TOKENS.TaskRepository]).inSingletonScope();
  bind(TOKENS.UpdateTask).toResolvedValue((tasks) => new UpdateTask(tasks), [TOKENS.TaskRepository]).inSingletonScope();
  bind(TOKENS.DeleteTask).toResolvedValue((tasks) => new DeleteTask(tasks), [TOKENS.TaskRepository]).inSingletonScope();
  bind(TOKENS.ToggleTaskCompletion)
    .toResolvedValue((tasks) => new ToggleTaskCompletion(tasks), [TOKENS.TaskRepository])
    .inSingletonScope();
  bind(TOKENS.TaskUseCases)
    .toResolvedValue(
      (createTask, listTasks, getTask, updateTask, deleteTask, toggleTaskCompletion): TaskUseCases => ({
        createTask,
        listTasks,
        getTask,
        updateTask,
        deleteTask,
        toggleTaskCompletion,
      }),
      [TOKENS.CreateTask, TOKENS.ListTasks, TOKENS.GetTask, TOKENS.UpdateTask, TOKENS.DeleteTask, TOKENS.ToggleTaskCompletion],
    )
    .inSingletonScope();
});

/** Readiness and metrics: what operators and load balancers see of the service. */
const operationsModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Readiness).toResolvedValue((orm) => new Readiness(orm), [TOKENS.MikroOrm]).inSingletonScope();
  bind(TOKENS.MetricsRegistry).toResolvedValue((orm) => createMetricsRegistry(orm), [TOKENS.MikroOrm]).inSingletonScope();
});

/** The HTTP adapter: the request listener built from the use cases. */
const httpModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.HttpApp)
    .toResolvedValue(
      (useCases: TaskUseCases, config: Config, logger: Logger, health: Readiness, metricsRegistry: Registry) =>
        createHttpApp({
          useCases,
          corsOrigins: config.corsOrigins,
          bodyLimitBytes: config.bodyLimitBytes,
          logger,
          health,
          metricsRegistry,
          trustProxy: config.trustProxy,
          ...(config.auth ? { tokenVerifier: new CachedTokenVerifier(new JoseTokenVerifier(config.auth)) } : {}),
        }),
      [TOKENS.TaskUseCases, TOKENS.Config, TOKENS.Logger, TOKENS.Readiness, TOKENS.MetricsRegistry],
    )
    .inSingletonScope();
});

/** Wires every package together. The only place that knows all of them. */
export function createContainer(config: Config & { databaseUrl: string }, logger: Logger): Container {
  const container = new Container();
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.load(postgresModule, domainModule, operationsModule, httpModule);
  return container;
}
