import type { ChangeStreams, HttpApp } from '@tasks/adapters-http';
import type { PoolPressure, PostgresOrm } from '@tasks/adapters-postgres';
import type { TaskRepository, TaskUseCases } from '@tasks/domain';
import type { ServiceIdentifier } from 'inversify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { SharedRateLimitStore } from './rate-limit-store.js';
import type { Readiness } from './readiness.js';

/** Typed service identifiers of the container. */
export const TOKENS = {
  Config: Symbol.for('Config') as ServiceIdentifier<Config & { databaseUrl: string }>,
  Logger: Symbol.for('Logger') as ServiceIdentifier<Logger>,
  MikroOrm: Symbol.for('MikroOrm') as ServiceIdentifier<PostgresOrm>,
  TaskRepository: Symbol.for('TaskRepository') as ServiceIdentifier<TaskRepository>,
  PoolPressure: Symbol.for('PoolPressure') as ServiceIdentifier<PoolPressure>,
  TaskUseCases: Symbol.for('TaskUseCases') as ServiceIdentifier<TaskUseCases>,
  Readiness: Symbol.for('Readiness') as ServiceIdentifier<Readiness>,
  MetricsRegistry: Symbol.for('MetricsRegistry') as ServiceIdentifier<Registry>,
  SharedRateLimitStore: Symbol.for('SharedRateLimitStore') as ServiceIdentifier<SharedRateLimitStore | null>,
  ChangeStreams: Symbol.for('ChangeStreams') as ServiceIdentifier<ChangeStreams>,
  HttpApp: Symbol.for('HttpApp') as ServiceIdentifier<HttpApp>,
} as const;
