import type { MikroORM } from '@mikro-orm/core';
import type { MikroOrmTaskRepository } from '@tasks/adapters-postgres';
import type {
  CreateTask,
  DeleteTask,
  GetTask,
  ListTasks,
  TaskRepository,
  TaskUseCases,
  ToggleTaskCompletion,
  UpdateTask,
} from '@tasks/domain';
import type { HttpApp } from '@tasks/adapters-http';
import type { Registry } from 'prom-client';
import type { ServiceIdentifier } from 'inversify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Readiness } from './readiness.js';

/** Typed service identifiers of the container. */
export const TOKENS = {
  Config: Symbol.for('Config') as ServiceIdentifier<Config & { databaseUrl: string }>,
  Logger: Symbol.for('Logger') as ServiceIdentifier<Logger>,
  MikroOrm: Symbol.for('MikroOrm') as ServiceIdentifier<MikroORM>,
  MikroOrmTaskRepository: Symbol.for('MikroOrmTaskRepository') as ServiceIdentifier<MikroOrmTaskRepository>,
  TaskRepository: Symbol.for('TaskRepository') as ServiceIdentifier<TaskRepository>,
  CreateTask: Symbol.for('CreateTask') as ServiceIdentifier<CreateTask>,
  ListTasks: Symbol.for('ListTasks') as ServiceIdentifier<ListTasks>,
  GetTask: Symbol.for('GetTask') as ServiceIdentifier<GetTask>,
  UpdateTask: Symbol.for('UpdateTask') as ServiceIdentifier<UpdateTask>,
  DeleteTask: Symbol.for('DeleteTask') as ServiceIdentifier<DeleteTask>,
  ToggleTaskCompletion: Symbol.for('ToggleTaskCompletion') as ServiceIdentifier<ToggleTaskCompletion>,
  TaskUseCases: Symbol.for('TaskUseCases') as ServiceIdentifier<TaskUseCases>,
  Readiness: Symbol.for('Readiness') as ServiceIdentifier<Readiness>,
  MetricsRegistry: Symbol.for('MetricsRegistry') as ServiceIdentifier<Registry>,
  HttpApp: Symbol.for('HttpApp') as ServiceIdentifier<HttpApp>,
} as const;
