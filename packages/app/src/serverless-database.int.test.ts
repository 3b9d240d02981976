import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startDelayedProxy } from '../../../test/delayed-proxy.js';
import { freshDatabaseUrl } from '../../../test/postgres/fresh-database.js';
import { loadConfig } from './config.js';
import { startTaskService, type TaskService } from './task-service.js';

const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serviceOn(databaseUrl: string, env: Record<string, string> = {}): Promise<TaskService> {
  const service = await startTaskService(loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', ...env }), silent);
  cleanups.push(() => service.close());
  return service;
}

/** Waits until the pool has closed its idle connections, as it does while a serverless database sleeps. */
async function poolDrained(service: TaskService): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    if (/\ndb_pool_connections_idle 0\n/.test(metrics) && /\ndb_pool_connections_in_use 0\n/.test(metrics)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the pool kept its idle connections');
}

describe('a serverless PostgreSQL', () => {
  it('dropping every idle connection (scale to zero) costs no request an error', async () => {
    const appName = `tasks_terminate_${Date.now()}`;
    const url = new URL(await freshDatabaseUrl());
    url.searchParams.set('application_name', appName);
    const service = await serviceOn(url.toString());
    const list = () => fetch(`${service.url}/api/idle/tasks`).then((response) => response.status);
    // Fill the pool with several open connections.
    expect(await Promise.all(Array.from({ length: 10 }, list))).toEqual(Array(10).fill(200));

    const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
    await admin.connect();
    const { rows } = await admin.query('select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1', [appName]);
    await admin.end();
    expect(rows[0].n).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(await Promise.all(Array.from({ length: 20 }, list))).toEqual(Array(20).fill(200));
  });

  it('waits for a database that takes a second to wake up', async () => {
    const target = new URL(await freshDatabaseUrl());
    const service = await serviceOn(target.toString());
    const proxy = await startDelayedProxy(Number(target.port), 1_500, target.hostname);
    cleanups.push(() => proxy.close());
    await service.close();
    cleanups.pop();

    const viaProxy = new URL(target);
    // The proxy listens on the loopback, wherever the server is (a container's is on the bridge's address).
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const waking = await serviceOn(viaProxy.toString(), { DB_CONNECT_TIMEOUT_MS: '5000', DB_IDLE_TIMEOUT_MS: '100' });
    await poolDrained(waking);
    const started = Date.now();
    const response = await fetch(`${waking.url}/api/waking/tasks`);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('answers 503 once the connect timeout passes while the database is still waking', async () => {
    const target = new URL(await freshDatabaseUrl());
    await serviceOn(target.toString()).then((service) => service.close());
    cleanups.pop();
    const proxy = await startDelayedProxy(Number(target.port), 0, target.hostname);
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(target);
    // The proxy listens on the loopback, wherever the server is (a container's is on the bridge's address).
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const service = await serviceOn(viaProxy.toString(), { DB_CONNECT_TIMEOUT_MS: '1000', DB_IDLE_TIMEOUT_MS: '100' });
    // Let the connection made at start-up go idle and close, then make the "database" slow to wake.
    await poolDrained(service);
    proxy.setDelay(10_000);

    const started = Date.now();
    const response = await fetch(`${service.url}/api/sleepy/tasks`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).not.toBeNull();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5_000);
  });
});

describe('operational endpoints on the real service', () => {
  it('reports ready, and exposes pool and process metrics', async () => {
    const service = await serviceOn(await freshDatabaseUrl());
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    await fetch(`${service.url}/api/metrics-user/tasks`);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    for (const name of [
      'db_pool_connections_in_use',
      'db_pool_connections_idle',
      'db_pool_requests_pending',
      'process_resident_memory_bytes',
      'http_requests_total',
    ]) {
      expect(metrics).toContain(`\n${name}`);
    }
    expect(metrics).toMatch(/db_pool_connections_max 10\n/);
  });
});
