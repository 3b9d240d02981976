import { SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshDatabaseUrl, pooledUrl } from '../../../test/postgres/fresh-database.js';
import { freePort } from '../../../test/postgres/postgres-sources.js';
import { readJson } from '../../../test/read-json.js';
import { loadConfig } from './config.js';
import { startTaskService, type TaskService } from './task-service.js';

const silent = pino({ level: 'silent' });

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** How the service reaches the database: directly, and through PgBouncer in transaction mode when installed. */
const connections: [string, (directUrl: string) => string][] = [['directly', (url) => url]];
if (pooledUrl('postgres://probe@127.0.0.1/probe') !== null) connections.push(['through PgBouncer (transaction pooling)', (url) => pooledUrl(url)!]);

describe.each(connections)('the task service on PostgreSQL, connected %s', (_, connect) => {
  let databaseUrl: string;
  let service: TaskService;
  const api = (path: string, init?: RequestInit) => fetch(`${service.url}/api${path}`, init);

  beforeAll(async () => {
    databaseUrl = connect(await freshDatabaseUrl());
    service = await startTaskService(loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1' }), silent);
  });

  afterAll(async () => {
    await service?.close();
  });

  it('migrates an empty database at start-up and serves the whole contract', async () => {
    const created = await api('/alice/tasks', json({ title: 'Write report', description: 'by Friday' }));
    expect(created.status).toBe(201);
    const task = await readJson(created);

    expect((await api(`/alice/tasks/${task.id}`)).status).toBe(200);
    expect((await api(`/bob/tasks/${task.id}`)).status).toBe(404);
    const toggled = await readJson(await api(`/alice/tasks/${task.id}/complete`, { method: 'PATCH' }));
    expect(toggled.completed).toBe(true);
    const updated = await api(`/alice/tasks/${task.id}`, { ...json({ title: 'Write the report' }), method: 'PUT' });
    expect(await readJson(updated)).toMatchObject({ title: 'Write the report', completed: true, created_at: task.created_at });
    expect((await api(`/alice/tasks/${task.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await readJson(await api('/alice/tasks'))).toEqual([]);
  });

  it('loses no toggle when fifty arrive at once over HTTP', async () => {
    const task = await readJson(await api('/racer/tasks', json({ title: 'race' })));
    const answers = await Promise.all(Array.from({ length: 50 }, () => api(`/racer/tasks/${task.id}/complete`, { method: 'PATCH' }).then((r) => readJson(r))));
    expect(answers.filter((answer) => answer.completed)).toHaveLength(25);
    expect((await readJson(await api(`/racer/tasks/${task.id}`))).completed).toBe(false);
  });

  it('lets exactly one of fifty concurrent If-Match updates of one version win, the rest get 412', async () => {
    const created = await api('/optimist/tasks', json({ title: 'v1' }));
    const etag = created.headers.get('etag')!;
    const task = await readJson(created);
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api(`/optimist/tasks/${task.id}`, {
          ...json({ title: `writer ${i}` }),
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'if-match': etag },
        }).then((response) => response.status),
      ),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(49);
  });

  it('creates exactly one task for fifty concurrent creates with one Idempotency-Key across two instances', async () => {
    const second = await startTaskService(loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1' }), silent);
    try {
      const send = (base: string) =>
        fetch(`${base}/api/idem/tasks`, {
          ...json({ title: 'exactly once' }),
          headers: { 'content-type': 'application/json', 'idempotency-key': 'pay-2026-11' },
        });
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => send(i % 2 ? service.url : second.url)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(201));
      const ids = new Set((await Promise.all(answers.map((answer) => readJson(answer)))).map((task) => task.id));
      expect(ids.size).toBe(1);
      expect(await readJson(await api('/idem/tasks'))).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('creates a hundred tasks at once with distinct ids', async () => {
    const created = await Promise.all(Array.from({ length: 100 }, (_, i) => api('/crowd/tasks', json({ title: `task ${i}` })).then((r) => readJson(r))));
    expect(new Set(created.map((task) => task.id)).size).toBe(100);
    expect(await readJson(await api('/crowd/tasks'))).toHaveLength(100);
  });

  it('requires a bearer token for the path user with AUTH_MODE=jwt', async () => {
    const secret = 'an-hmac-secret-that-is-long-enough-for-hs256';
    const guarded = await startTaskService(
      loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', AUTH_MODE: 'jwt', AUTH_JWT_SECRET: secret }),
      silent,
    );
    try {
      const token = await new SignJWT({ sub: 'dana' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));
      const call = (path: string, auth?: string) => fetch(`${guarded.url}/api${path}`, auth ? { headers: { authorization: auth } } : {});
      expect((await call('/dana/tasks')).status).toBe(401);
      expect((await call('/dana/tasks', `Bearer ${token}`)).status).toBe(200);
      expect((await call('/erin/tasks', `Bearer ${token}`)).status).toBe(403);
      expect((await fetch(`${guarded.url}/readyz`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('keeps every task across a restart on the same database', async () => {
    const task = await readJson(await api('/keeper/tasks', json({ title: 'survive' })));
    await service.close();
    service = await startTaskService(loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1' }), silent);
    expect(await readJson(await api(`/keeper/tasks/${task.id}`))).toEqual(task);
  });
});

describe('migrations over DATABASE_URL_UNPOOLED', () => {
  it('applies the migrations over the direct URL, not over DATABASE_URL', async () => {
    const direct = await freshDatabaseUrl();
    const unreachable = new URL(direct);
    unreachable.port = String(await freePort());
    // The service's own URL is fine; only the migrations' URL is not: start-up fails on it.
    await expect(
      startTaskService(
        loadConfig({ DATABASE_URL: direct, DATABASE_URL_UNPOOLED: unreachable.toString(), DB_CONNECT_TIMEOUT_MS: '1000', PORT: '0', HOST: '127.0.0.1' }),
        silent,
      ),
    ).rejects.toThrow(/ECONNREFUSED|Timeout acquiring a connection/);

    const service = await startTaskService(
      loadConfig({ DATABASE_URL: pooledUrl(direct) ?? direct, DATABASE_URL_UNPOOLED: direct, PORT: '0', HOST: '127.0.0.1' }),
      silent,
    );
    try {
      const created = await fetch(`${service.url}/api/direct/tasks`, json({ title: 'migrated directly' }));
      expect(created.status).toBe(201);
    } finally {
      await service.close();
    }
  });
});

describe('RATE_LIMIT_PER_MINUTE across instances', () => {
  const redisUrl = inject('redisUrl');
  /** Sends `count` lists for the user, alternating between the services; the statuses. */
  async function listAlternately(services: TaskService[], user: string, count: number): Promise<number[]> {
    const statuses = [];
    for (let i = 0; i < count; i++) statuses.push((await fetch(`${services[i % services.length]!.url}/api/${user}/tasks`)).status);
    return statuses;
  }
  const startTwo = async (env: Record<string, string>) => {
    const databaseUrl = await freshDatabaseUrl();
    const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '4', ...env });
    return [await startTaskService(config, silent), await startTaskService(config, silent)];
  };

  it("counts per instance without REDIS_URL: each instance grants a user's full share", async () => {
    const services = await startTwo({});
    try {
      expect(await listAlternately(services, `solo-${Date.now()}`, 9)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    } finally {
      await Promise.all(services.map((service) => service.close()));
    }
  });

  if (redisUrl !== null) {
    it('shares the count through Redis with REDIS_URL: the share holds whichever instance answers', async () => {
      const services = await startTwo({ REDIS_URL: redisUrl });
      try {
        const statuses = await listAlternately(services, `shared-${Date.now()}`, 6);
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      } finally {
        await Promise.all(services.map((service) => service.close()));
      }
    });
  }

  it('refuses to start with a REDIS_URL where no Redis answers, saying so', async () => {
    const closed = await freePort();
    await expect(
      startTaskService(
        loadConfig({
          DATABASE_URL: await freshDatabaseUrl(),
          PORT: '0',
          HOST: '127.0.0.1',
          RATE_LIMIT_PER_MINUTE: '4',
          REDIS_URL: `redis://127.0.0.1:${closed}`,
        }),
        silent,
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
