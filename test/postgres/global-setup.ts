import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';
import { PGBOUNCER_BINARY, pgBouncerInstalled, startPgBouncer } from './pgbouncer.js';
import { realPostgresSources } from './postgres-sources.js';
import { providePostgres } from './provide-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    /** The port of a PgBouncer (transaction pooling) in front of that server, or null without the binary. */
    pgBouncerPort: number | null;
    /** A Redis for the shared rate limit (TEST_REDIS_URL, else the machine's on 127.0.0.1:6379), or null. */
    redisUrl: string | null;
  }
}

/** True when a Redis server answers PING at the URL within a second. */
function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * Starts the run's one PostgreSQL server (or adopts TEST_DATABASE_URL) and, when Debian's pgbouncer is
 * installed, a PgBouncer in transaction mode in front of it; stops both after the run.
 */
export default async function setup(project: TestProject) {
  const postgres = await providePostgres(realPostgresSources);
  console.log(`[tests] PostgreSQL from ${postgres.source}${postgres.reason ? ` (${postgres.reason})` : ''}`);
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
  const redisUrl = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
  if (await redisAnswers(redisUrl)) {
    console.log(`[tests] Redis at ${redisUrl}`);
    project.provide('redisUrl', redisUrl);
  } else {
    project.provide('redisUrl', null);
    console.warn(`[tests] NOT RUN: the rate limit shared across instances through Redis: no Redis answers at ${redisUrl} (set TEST_REDIS_URL)`);
  }
  return async () => {
    await stopBouncer();
    await postgres.stop();
  };
}
