import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskResponse } from '@tasks/adapters-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../../test/postgres/fresh-database.js';
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
    service = await startServiceProcess({ DATA_DIR: dataDir, SHUTDOWN_DELAY_MS: '300' });
    const created = await readJson(await fetch(`${service.url}/api/alice/tasks`, json('POST', { title: 'persist me' })));
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.output()).not.toContain('DATABASE_URL is unset');

    // As the container image runs it: the same data, and a warning that it lives on this machine only.
    service = await startServiceProcess({ DATA_DIR: dataDir, SHUTDOWN_DELAY_MS: '300', NODE_ENV: 'production' });
    const read = await fetch(`${service.url}/api/alice/tasks/${created.id}`);
    expect(await readJson(read)).toEqual(created);
    expect(service.output()).toMatch(/"level":40.*DATABASE_URL is unset in production/);
  });

  it('finishes the requests in flight when told to stop, and loses none of them', async () => {
    service ??= await startServiceProcess({ DATA_DIR: dataDir, SHUTDOWN_DELAY_MS: '300' });
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

    service = await startServiceProcess({ DATA_DIR: dataDir, SHUTDOWN_DELAY_MS: '300' });
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

describe('logs written to a file, as a container or process manager collects them', () => {
  let workDir: string;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tasks-logs-'));
    await chmod(workDir, 0o755);
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await rm(workDir, { recursive: true, force: true });
  });

  /** Waits up to `ms` for the log file to hold a line with this message; how long it took, or -1. */
  async function lineWithin(ms: number, message: string): Promise<number> {
    const started = Date.now();
    while (Date.now() - started <= ms) {
      if (service!.output().includes(`"msg":"${message}"`)) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return -1;
  }

  it('has the listening line there at once, request lines within a second, and the shutdown lines on exit', async () => {
    const logFile = join(workDir, 'service.log');
    service = await startServiceProcess(
      { DATA_DIR: join(workDir, '.data'), LOG_LEVEL: 'info', DATABASE_URL: await freshDatabaseUrl() },
      { outputFile: logFile },
    );
    // The service answered HTTP, so it has listened: its line must be in the file already, or nearly.
    expect(await lineWithin(1_000, 'task service listening')).toBeGreaterThanOrEqual(0);
    await fetch(`${service.url}/api/logged/tasks`, json('POST', { title: 'a line for me' }));
    expect(await lineWithin(1_000, 'request completed')).toBeGreaterThanOrEqual(0);
    expect(await service.stop('SIGINT')).toBe(0);
    expect(service.output()).toMatch(/"msg":"stopped"/);
    // One JSON object per line, nothing else, so a collector can parse every line.
    for (const line of service.output().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
