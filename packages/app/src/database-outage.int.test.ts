import type { TaskResponse } from '@tasks/adapters-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../../test/postgres/postgres-sources.js';
import { readJson } from '../../../test/read-json.js';
import { type ServiceProcess, startServiceProcess } from '../../../test/service-process.js';

// This file owns its PostgreSQL server: stopping and starting it is the point of the test.
describe('a database outage under the running service', () => {
  let postgres: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  let service: ServiceProcess;

  beforeAll(async () => {
    postgres = await startEmbeddedPostgres();
    service = await startServiceProcess({ DATABASE_URL: postgres.adminUrl, DB_CONNECT_TIMEOUT_MS: '1000' });
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await postgres?.stop();
  });

  it('answers 503 while the database is down, stays up, and recovers with every task it acknowledged', async () => {
    const api = (path: string, init?: RequestInit) => fetch(`${service.url}/api/outage${path}`, init);
    const create = (title: string) => api('/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });

    const acknowledged: TaskResponse[] = [];
    for (let i = 0; i < 20; i++) acknowledged.push(await readJson(await create(`before ${i}`)));

    await postgres.server.stop();

    for (const request of [() => api('/tasks'), () => create('during'), () => api(`/tasks/${acknowledged[0]!.id}/complete`, { method: 'PATCH' })]) {
      const started = Date.now();
      const response = await request();
      expect(response.status).toBe(503);
      expect(await readJson(response)).toEqual({ detail: 'Service temporarily unavailable' });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      // Bounded by the configured connect timeout, not by knex's 60 s default.
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    expect(service.child.exitCode).toBeNull();
    expect((await fetch(`${service.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${service.url}/livez`)).status).toBe(200);

    await postgres.server.start();
    let listed: Response | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      listed = await api('/tasks');
      if (listed.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(listed!.status).toBe(200);
    const tasks = await readJson<TaskResponse[]>(listed!);
    expect(tasks.map((task) => task.id)).toEqual(acknowledged.map((task) => task.id));
    expect((await create('after')).status).toBe(201);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    expect(service.child.exitCode).toBeNull();
  });
});
