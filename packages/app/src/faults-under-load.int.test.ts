import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgBouncer, pgBouncerInstalled, startPgBouncer } from '../../../test/postgres/pgbouncer.js';
import { startEmbeddedPostgres } from '../../../test/postgres/postgres-sources.js';
import { type ServiceProcess, startServiceProcess } from '../../../test/service-process.js';

type Fields = { title: string; description: string; completed: boolean };
/** One request of the load and what became of it: status 0 means no answer at all. */
type Outcome = { kind: 'create' | 'update'; status: number; error?: string; id?: number; before?: Fields; sent: Fields };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Concurrent workers, each creating a task and then updating it, until stopped. Every request's
 * outcome is kept, so the database can be checked against what was acknowledged.
 */
function startLoad(baseUrl: () => string, workers: number) {
  const outcomes: Outcome[] = [];
  let running = true;
  const send = async (method: string, path: string, body: unknown) => {
    try {
      const response = await fetch(`${baseUrl()}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      return { status: response.status, body: (await response.json().catch(() => null)) as { id?: number } | null };
    } catch (error) {
      return { status: 0, body: null, error: String((error as Error).cause ?? error) };
    }
  };
  const worker = async (w: number) => {
    for (let n = 0; running; n++) {
      const created: Fields = { title: `w${w}-${n}`, description: `created by worker ${w} as number ${n}`, completed: false };
      const create = await send('POST', `/api/load-${w}/tasks`, { title: created.title, description: created.description });
      outcomes.push({ kind: 'create', status: create.status, error: create.error, id: create.body?.id, sent: created });
      if (create.status !== 201 || !create.body?.id) {
        if (create.status === 0) await sleep(20);
        continue;
      }
      const updated: Fields = { title: `${created.title}-updated`, description: `${created.description}, then updated`, completed: true };
      const update = await send('PUT', `/api/load-${w}/tasks/${create.body.id}`, updated);
      outcomes.push({ kind: 'update', status: update.status, error: update.error, id: create.body.id, before: created, sent: updated });
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    outcomes,
    acknowledgedSince: (from: number) => outcomes.slice(from).filter((o) => o.status >= 200 && o.status < 300).length,
    async stop() {
      running = false;
      await done;
      return outcomes;
    },
  };
}

/** Checks the table against every outcome: acknowledged writes are there, the rest did all or nothing. */
async function expectNothingLost(databaseUrl: string, outcomes: Outcome[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ id: string } & Fields>("select id, title, description, completed from tasks where user_id like 'load-%'");
  await client.end();
  const byId = new Map(rows.map((row) => [Number(row.id), row]));
  const byTitle = new Map(rows.map((row) => [row.title, row]));
  const whole = (row: Fields | undefined, fields: Fields) =>
    row !== undefined && row.title === fields.title && row.description === fields.description && row.completed === fields.completed;

  for (const outcome of outcomes) {
    if (outcome.kind === 'create' && outcome.status === 201) {
      const row = byId.get(outcome.id!);
      expect(row, `acknowledged create ${outcome.sent.title} is missing`).toBeDefined();
      // It may have been updated since, but then by its own worker's update, as a whole.
      const updated = { title: `${outcome.sent.title}-updated`, description: `${outcome.sent.description}, then updated`, completed: true };
      expect(whole(row, outcome.sent) || whole(row, updated)).toBe(true);
    } else if (outcome.kind === 'create') {
      // Not acknowledged: absent, or present exactly as sent (never half-written).
      const row = byTitle.get(outcome.sent.title);
      if (row) expect(whole(row, outcome.sent) || row.title.endsWith('-updated')).toBe(true);
    } else if (outcome.status === 200) {
      expect(whole(byId.get(outcome.id!), outcome.sent), `acknowledged update of ${outcome.id} is missing`).toBe(true);
    } else {
      const row = byId.get(outcome.id!);
      expect(whole(row, outcome.before!) || whole(row, outcome.sent)).toBe(true);
    }
  }
}

/** How the service reaches this file's database: directly, and through PgBouncer when it is installed. */
const connections = pgBouncerInstalled() ? ['directly', 'through PgBouncer (transaction pooling)'] : ['directly'];

/** A GET on a connection of its own, as a load balancer's health check makes it; the status, or 0. */
function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

describe.each(connections)('faults under a steady load of creates and updates, connected %s', (connection) => {
  let postgres: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  let bouncer: PgBouncer | undefined;
  let service: ServiceProcess | undefined;
  const databaseUrl = () => (bouncer ? bouncer.pooled(postgres.adminUrl) : postgres.adminUrl);
  const env = () => ({ DATABASE_URL: databaseUrl(), DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '3000', SHUTDOWN_DELAY_MS: '1500' });

  beforeAll(async () => {
    postgres = await startEmbeddedPostgres();
    if (connection !== 'directly') bouncer = await startPgBouncer(postgres.adminUrl);
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await bouncer?.stop();
    await postgres?.stop();
  });

  it('kill -9 of the database: the service stays up, answers 503, recovers, and loses no acknowledged write', async () => {
    service = await startServiceProcess(env());
    const running = service;
    const load = startLoad(() => running.url, 20);
    await sleep(1_000);

    const postmasterPid = Number((await readFile(join(postgres.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(postmasterPid, 'SIGKILL');
    await sleep(1_000);
    const duringOutage = await fetch(`${running.url}/api/probe/tasks`);
    expect(duringOutage.status).toBe(503);

    // Orphaned backends may hold shared memory for a moment; PostgreSQL refuses to start until they go.
    for (let attempt = 1; ; attempt++) {
      try {
        await postgres.server.start();
        break;
      } catch (error) {
        if (attempt === 20) throw error;
        await sleep(250);
      }
    }
    const restarted = load.outcomes.length;
    const restartedAt = Date.now();
    // PgBouncer waits server_login_retry (15 s by default) before it logs in again after a failed login.
    const recovery = bouncer ? 25_000 : 5_000;
    while (load.acknowledgedSince(restarted) === 0 && Date.now() - restartedAt < recovery + 5_000) await sleep(50);
    expect(Date.now() - restartedAt).toBeLessThan(recovery);
    await sleep(500);
    const outcomes = await load.stop();

    expect(running.child.exitCode).toBeNull();
    const statuses = new Set(outcomes.map((outcome) => outcome.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 201, 503]));
    for (const status of statuses) expect([200, 201, 503]).toContain(status);
    expect(running.output()).not.toMatch(/"level":50.*unhandled error/);
    // Dozens of connection errors were logged, and none of them carries the database password.
    expect(running.output()).not.toContain(postgres.password);
    await expectNothingLost(postgres.adminUrl, outcomes);
  }, 60_000);

  it('SIGTERM to the service: not ready at once, still serving for the delay, then in-flight requests complete and nothing acknowledged is lost', async () => {
    service ??= await startServiceProcess(env());
    let current = service;
    const load = startLoad(() => current.url, 20);
    await sleep(1_000);
    expect(await probe(`${current.url}/readyz`)).toBe(200);

    const exitCode = current.stop('SIGTERM');
    const signalled = Date.now();
    const signalledAt = load.outcomes.length;
    await sleep(200);
    // A load balancer's health check on a new connection sees 503 while the service keeps serving.
    expect(await probe(`${current.url}/readyz`)).toBe(503);
    await sleep(800);
    expect(Date.now() - signalled).toBeLessThan(1_500);
    const duringDelay = load.outcomes.slice(signalledAt);
    expect(duringDelay.filter((o) => o.status === 201).length).toBeGreaterThan(0);
    expect(duringDelay.every((o) => o.status === 200 || o.status === 201)).toBe(true);
    expect(await probe(`${current.url}/api/drain/tasks`)).toBe(200);

    expect(await exitCode).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(1_500);
    expect(current.output()).not.toMatch(/shutdown timeout/);
    current = service = await startServiceProcess({ ...env(), PORT: new URL(current.url).port });
    await sleep(1_000);
    const outcomes = await load.stop();

    for (const outcome of outcomes.filter((o) => o.status === 0)) {
      // Refused while the port was closed, or a keep-alive connection closed before the request was read.
      expect(outcome.error).toMatch(/ECONNREFUSED|other side closed|ECONNRESET|socket/i);
    }
    for (const outcome of outcomes) expect([0, 200, 201]).toContain(outcome.status);
    expect(outcomes.filter((o) => o.status === 201).length).toBeGreaterThan(20);
    await expectNothingLost(postgres.adminUrl, outcomes);
  }, 60_000);
});
