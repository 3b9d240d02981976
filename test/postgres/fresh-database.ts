import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { throughPort } from './pgbouncer.js';

/**
 * Creates an empty database on the run's PostgreSQL server and returns its URL, so each test file works
 * in isolation while the run shares one server.
 */
export async function freshDatabaseUrl(adminUrl: string = inject('postgresAdminUrl')): Promise<string> {
  const name = `tasks_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The same database through the run's PgBouncer (transaction pooling), or null when PgBouncer is not
 * installed (the run then says so once).
 */
export function pooledUrl(directUrl: string, port: number | null = inject('pgBouncerPort')): string | null {
  return port === null ? null : throughPort(directUrl, port);
}
