import type { TestProject } from 'vitest/node';
import { PGBOUNCER_BINARY, pgBouncerInstalled, startPgBouncer } from './pgbouncer.js';
import { realPostgresSources } from './postgres-sources.js';
import { providePostgres } from './provide-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    /** The port of a PgBouncer (transaction pooling) in front of that server, or null without the binary. */
    pgBouncerPort: number | null;
  }
}

/**
 * Starts the run's one PostgreSQL server (or adopts TEST_DATABASE_URL) and, when Debian's pgbouncer is
 * installed, a PgBouncer in transaction mode in front of it; stops both after the run.
 */
export default async function setup(project: TestProject) {
  const postgres = await providePostgres(realPostgresSources);
  console.log(`[tests] PostgreSQL from ${postgres.source}`);
  project.provide('postgresAdminUrl', postgres.adminUrl);
  let stopBouncer = async () => {};
  if (pgBouncerInstalled()) {
    const bouncer = await startPgBouncer(postgres.adminUrl);
    console.log(`[tests] PgBouncer (transaction pooling) on port ${bouncer.port}`);
    project.provide('pgBouncerPort', bouncer.port);
    stopBouncer = () => bouncer.stop();
  } else {
    project.provide('pgBouncerPort', null);
    console.warn(
      `[tests] NOT RUN: the tests through a transaction pooler (the HTTP contract, the concurrency tests and the kill -9 fault test through PgBouncer): no PgBouncer at ${PGBOUNCER_BINARY}. Install it with: apt-get install pgbouncer`,
    );
  }
  return async () => {
    await stopBouncer();
    await postgres.stop();
  };
}
