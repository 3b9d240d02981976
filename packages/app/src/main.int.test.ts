import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskResponse } from '@tasks/adapters-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../../../test/read-json.js';
import { type ServiceProcess, startServiceProcess } from '../../../test/service-process.js';

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('the service started without DATABASE_URL', () => {
  let dataDir: string;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tasks-main-'));
    await chmod(parent, 0o755);
    dataDir = join(parent, '.data');
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('keeps its tasks in an embedded PostgreSQL that survives a restart', async () => {
    service = await startServiceProcess({ DATA_DIR: dataDir });
    const created = await readJson(await fetch(`${service.url}/api/alice/tasks`, json('POST', { title: 'persist me' })));
    expect(await service.stop('SIGTERM')).toBe(0);

    service = await startServiceProcess({ DATA_DIR: dataDir });
    const read = await fetch(`${service.url}/api/alice/tasks/${created.id}`);
    expect(await readJson(read)).toEqual(created);
  });

  it('finishes the requests in flight when told to stop, and loses none of them', async () => {
    service ??= await startServiceProcess({ DATA_DIR: dataDir });
    const url = service.url;
    const inFlight = Array.from({ length: 60 }, (_, i) =>
      fetch(`${url}/api/shutdown/tasks`, json('POST', { title: `in flight ${i}` })).then(
        async (response) => ({ status: response.status, body: await readJson(response) }),
        (error: Error) => ({ status: 0, body: String(error.cause ?? error) }),
      ),
    );
    // Let the requests reach the server, then ask it to stop while they are being served.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const exit = service.stop('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(await exit).toBe(0);
    expect(service.output()).not.toMatch(/shutdown timeout/);

    const accepted = answers.filter((answer) => answer.status === 201);
    // A request either completed, or was never accepted (connection refused): never cut off half-way.
    for (const answer of answers) {
      if (answer.status !== 201) expect(answer.body).toMatch(/ECONNREFUSED|other side closed|ECONNRESET/);
    }
    expect(accepted.length).toBeGreaterThan(0);

    service = await startServiceProcess({ DATA_DIR: dataDir });
    const stored = await readJson<TaskResponse[]>(await fetch(`${service.url}/api/shutdown/tasks`));
    const storedIds = new Set(stored.map((task) => task.id));
    for (const answer of accepted) expect(storedIds.has((answer.body as TaskResponse).id)).toBe(true);
  });
});

describe('start-up with a bad configuration', () => {
  it('stops with one line naming the variable and no stack trace', async () => {
    await expect(startServiceProcess({ PORT: '8000', DB_POOL_MAX: 'lots' }, { readyTimeoutMs: 20_000 })).rejects.toThrow(
      /exited with 1:\nInvalid configuration: DB_POOL_MAX must be an integer from 1 to 1000, got "lots"\n$/,
    );
  });
});
