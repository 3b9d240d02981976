import { get, type IncomingMessage } from 'node:http';
import { createMikroOrm, MikroOrmTaskRepository } from '@tasks/adapters-postgres';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, pooledUrl } from '../../../test/postgres/fresh-database.js';
import { readJson } from '../../../test/read-json.js';
import { readServerSentEvents } from '../../../test/server-sent-events.js';
import { loadConfig } from './config.js';
import { startTaskService, type TaskService } from './task-service.js';

const silent = pino({ level: 'silent' });

interface Task {
  id: number;
  title: string;
  completed: boolean;
  description: string | null;
}
type Change = { type: 'upsert'; task: Task } | { type: 'delete'; id: number };

/** A live stream's client: the changes received so far, with their event ids, and how to stop it. */
function follow(url: string, lastEventId?: string) {
  const received: { eventId: string; change: Change; at: number }[] = [];
  let response: IncomingMessage | undefined;
  const opened = new Promise<IncomingMessage>((resolve, reject) => {
    get(url, { headers: lastEventId ? { 'last-event-id': lastEventId } : {} }, (res) => {
      response = res;
      readServerSentEvents(res, (event) => {
        if (event.id !== undefined && event.data !== undefined) received.push({ eventId: event.id, change: JSON.parse(event.data) as Change, at: Date.now() });
      });
      resolve(res);
    }).on('error', reject);
  });
  return { opened, received, close: () => response?.destroy() };
}

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const replay = (changes: Iterable<Change>, into = new Map<number, Task>()) => {
  for (const change of changes) {
    if (change.type === 'upsert') into.set(change.task.id, change.task);
    else into.delete(change.id);
  }
  return into;
};
const view = (tasks: Iterable<Task>) =>
  [...tasks].map(({ id, title, completed, description }) => ({ id, title, completed, description })).sort((a, b) => a.id - b.id);

/** How the instances reach the database: directly, and through PgBouncer in transaction mode when installed. */
const connections: [string, (directUrl: string) => string][] = [['directly', (url) => url]];
if (pooledUrl('postgres://probe@127.0.0.1/probe') !== null) connections.push(['through PgBouncer (transaction pooling)', (url) => pooledUrl(url)!]);

describe.each(connections)('the change feed of two instances on one database, connected %s', (_, connect) => {
  let directUrl: string;
  let one: TaskService;
  let two: TaskService;
  const instances = () => [one, two];
  const send = (service: TaskService, path: string, init: RequestInit = {}) => fetch(`${service.url}/api${path}`, init);
  const body = (method: string, value: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

  beforeAll(async () => {
    directUrl = await freshDatabaseUrl();
    const env = { DATABASE_URL: connect(directUrl), DATABASE_URL_UNPOOLED: directUrl, PORT: '0', HOST: '127.0.0.1', CHANGES_POLL_MS: '100' };
    one = await startTaskService(loadConfig(env), silent);
    two = await startTaskService(loadConfig(env), silent);
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  /** Follows the feed from `since` to its end through `service`; the changes in order, and the last token. */
  const read = async (service: TaskService, user: string, since?: string) => {
    const changes: Change[] = [];
    for (;;) {
      const response = await send(service, `/${user}/tasks/changes?limit=7${since ? `&since=${since}` : ''}`);
      expect(response.status).toBe(200);
      const page = await readJson<{ changes: Change[]; next_since: string; has_more: boolean }>(response);
      changes.push(...page.changes);
      since = page.next_since;
      if (!page.has_more) return { changes, since: since! };
    }
  };

  it('keeps every follower exact while writers on both instances race, bulk actions included', async () => {
    const user = 'racing';
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push((await readJson(await send(one, `/${user}/tasks`, body('POST', { title: `t${i}` })))).id);
    // Clients read the feed first, then follow it live from where the read ended.
    const initial = await read(one, user);
    const streams = [follow(`${one.url}/api/${user}/tasks/events?since=${initial.since}`), follow(`${two.url}/api/${user}/tasks/events`, initial.since)];
    for (const stream of streams) expect((await stream.opened).statusCode).toBe(200);
    const tokens: string[] = [];
    let reading = true;
    // A client syncing now and then through either instance, keeping every token it was given.
    const syncer = (async () => {
      let since: string | undefined;
      while (reading) {
        since = (await read(instances()[tokens.length % 2]!, user, since)).since;
        tokens.push(since);
      }
    })();
    const writer = async (service: TaskService, seed: number) => {
      for (let i = 0; i < 30; i++) {
        const id = ids[(seed * 7 + i * 3) % ids.length]!;
        const pick = (seed + i) % 6;
        if (pick === 0) ids.push((await readJson(await send(service, `/${user}/tasks`, body('POST', { title: `n${seed}-${i}` })))).id);
        else if (pick === 1) await send(service, `/${user}/tasks/${id}`, body('PUT', { title: `u${seed}-${i}` }));
        else if (pick === 2) await send(service, `/${user}/tasks/${id}/complete`, { method: 'PATCH' });
        else if (pick === 3) await send(service, `/${user}/tasks/${id}`, { method: 'DELETE' });
        else if (pick === 4) expect((await send(service, `/${user}/tasks?completed=false`, body('PATCH', { completed: true }))).status).toBe(200);
        else expect((await send(service, `/${user}/tasks?completed=true`, { method: 'DELETE' })).status).toBe(200);
      }
    };
    await Promise.all([writer(one, 1), writer(two, 2), writer(one, 3), writer(two, 4)]);
    reading = false;
    await syncer;

    const final = view(await readJson<Task[]>(await send(two, `/${user}/tasks`)));
    // From the beginning, and from every token handed out during the race, through either instance.
    expect(view(replay((await read(one, user)).changes).values())).toEqual(final);
    for (const [i, token] of tokens.entries()) {
      const upTo = new Map<number, Task>();
      // The client's state at that token is what the feed gave up to it.
      let since: string | undefined;
      for (const t of tokens.slice(0, i + 1)) {
        const part = await read(one, user, since);
        replay(part.changes, upTo);
        since = part.since;
        if (t === token) break;
      }
      expect(view(replay((await read(two, user, token)).changes, upTo).values())).toEqual(final);
      if (i >= 5) break;
    }
    // The streams on both instances end at the same state.
    for (const stream of streams) {
      const replica = () =>
        view(
          replay(
            stream.received.map((r) => r.change),
            replay(initial.changes),
          ).values(),
        );
      await until(() => JSON.stringify(replica()) === JSON.stringify(final)).catch(() => expect(replica()).toEqual(final));
      stream.close();
    }
  });

  it('brings a change made through one instance to a stream on the other within a second', async () => {
    const user = 'live';
    const stream = follow(`${two.url}/api/${user}/tasks/events`);
    expect((await stream.opened).statusCode).toBe(200);
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const sent = Date.now();
      const created = await readJson(await send(one, `/${user}/tasks`, body('POST', { title: `live ${i}` })));
      await until(() => stream.received.some((r) => r.change.type === 'upsert' && r.change.task.id === created.id));
      delays.push(stream.received.at(-1)!.at - sent);
    }
    stream.close();
    expect(Math.max(...delays)).toBeLessThan(1_000);
  });

  it('resumes a stream after Last-Event-ID on the other instance without losing or repeating a change', async () => {
    const user = 'resume';
    const first = follow(`${one.url}/api/${user}/tasks/events`);
    await first.opened;
    const a = await readJson(await send(one, `/${user}/tasks`, body('POST', { title: 'a' })));
    await until(() => first.received.length === 1);
    first.close();
    await send(two, `/${user}/tasks/${a.id}/complete`, { method: 'PATCH' });
    const b = await readJson(await send(two, `/${user}/tasks`, body('POST', { title: 'b' })));
    const second = follow(`${two.url}/api/${user}/tasks/events`, first.received[0]!.eventId);
    await until(() => second.received.length === 2);
    expect(second.received.map((r) => (r.change.type === 'upsert' ? [r.change.task.id, r.change.task.completed] : null))).toEqual([
      [a.id, true],
      [b.id, false],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.received).toHaveLength(2);
    second.close();
  });

  it('answers 410 for a token behind deletions forgotten after the retention, and serves a fresh start', async () => {
    const user = 'forgetful';
    const task = await readJson(await send(one, `/${user}/tasks`, body('POST', { title: 'gone soon' })));
    const { since } = await read(one, user);
    await send(one, `/${user}/tasks/${task.id}`, { method: 'DELETE' });
    const admin = new pg.Client({ connectionString: directUrl });
    await admin.connect();
    try {
      // The deletion happened 31 days ago, as far as the database can tell.
      await admin.query(`update task_tombstones set deleted_at = deleted_at - interval '31 days' where user_id = $1`, [user]);
    } finally {
      await admin.end();
    }
    // What the service's periodic clean-up runs.
    const orm = await createMikroOrm({ databaseUrl: directUrl, poolMax: 1, idleTimeoutMs: 1_000, connectTimeoutMs: 5_000, statementTimeoutMs: 0 });
    try {
      expect(await new MikroOrmTaskRepository(orm.em).forgetDeletions(30)).toBe(1);
    } finally {
      await orm.close(true);
    }
    const gone = await send(two, `/${user}/tasks/changes?since=${since}`);
    expect(gone.status).toBe(410);
    expect(await readJson(gone)).toEqual({ detail: expect.stringContaining('read the whole list again') });
    const fresh = await read(two, user);
    expect(fresh.changes).toEqual([]);
  });

  it('ends its streams when an instance shuts down, so the server closes at once', async () => {
    const third = await startTaskService(
      loadConfig({ DATABASE_URL: connect(directUrl), PORT: '0', HOST: '127.0.0.1', MIGRATE_ON_START: 'false', SHUTDOWN_TIMEOUT_MS: '30000' }),
      silent,
    );
    const stream = follow(`${third.url}/api/closing/tasks/events`);
    const res = await stream.opened;
    // Operators see it in /metrics.
    expect(await (await fetch(`${third.url}/metrics`)).text()).toMatch(/\nchange_streams_open 1\n/);
    const ended = new Promise((resolve) => res.on('close', resolve));
    const started = Date.now();
    await third.close();
    await ended;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
