import type { TestProject } from 'vitest/node';
import { realPostgresSources } from './postgres-sources.js';
import { providePostgres } from './provide-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

/** Starts the run's one PostgreSQL server (or adopts TEST_DATABASE_URL) and stops it after the run. */
export default async function setup(project: TestProject) {
  const postgres = await providePostgres(realPostgresSources);
  console.log(`[tests] PostgreSQL from ${postgres.source}`);
  project.provide('postgresAdminUrl', postgres.adminUrl);
  return () => postgres.stop();
}
