import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { readServerSentEvents, type ServerSentEvent } from '../../../test/server-sent-events.js';
import { ChangeStreams } from './change-streams.js';
import { createHttpApp } from './create-http-app.js';

const DAY_MS = 86_400_000;

function setUp(options: { clock?: Clock; maxStreamsPerUser?: number; heartbeatMs?: number } = {}) {
  const repository = new InMemoryTaskRepository();
  const useCases = taskUseCasesOn(repository, { changesPollMs: 20, ...(options.clock ? { clock: options.clock } : {}) });
  const streams = new ChangeStreams({
    readChanges: useCases.readChanges,
    watcher: useCases.changeWatcher,
    maxStreamsPerUser: options.maxStreamsPerUser ?? 10,
    heartbeatMs: options.heartbeatMs ?? 15_000,
  });
  const app = createHttpApp({ useCases, corsOrigins: ['*'], changeStreams: streams });
  return { repository, useCases, streams, app };
}

const create = (app: ReturnType<typeof setUp>['app'], user: string, title: string) =>
  request(app)
    .post(`/api/${user}/tasks`)
    .send({ title })
    .expect(201)
    .then((r) => r.body as { id: number });

let servers: Server[] = [];
afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  servers = [];
});

async function listen(app: ReturnType<typeof setUp>['app']): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An SSE client: the response, and the events received so far as they arrive. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const events: ServerSentEvent[] = [];
  let ended = false;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    const req = get(url, { headers }, (res) => {
      readServerSentEvents(res, (event) => events.push(event));
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
      resolve(res);
    });
    req.on('error', reject);
  });
  const changes = () =>
    events
      .filter((e) => e.data !== undefined)
      .map((e) => ({ eventId: e.id!, ...(JSON.parse(e.data!) as { type: string; task?: { id: number; completed: boolean }; id?: number }) }));
  return { response, events, changes, ended: () => ended };
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('GET /api/{user_id}/tasks/changes', () => {
  it('answers every task from the beginning, then only what changed, a page at a time', async () => {
    const { app } = setUp();
    const a = await create(app, 'ann', 'a');
    const b = await create(app, 'ann', 'b');
    await create(app, 'other', 'not hers');

    const first = await request(app).get('/api/ann/tasks/changes?limit=1').expect(200);
    expect(first.body).toMatchObject({ changes: [{ type: 'upsert', task: { id: a.id, title: 'a', user_id: 'ann' } }], has_more: true });
    const second = await request(app).get(`/api/ann/tasks/changes?limit=1&since=${first.body.next_since}`).expect(200);
    expect(second.body).toMatchObject({ changes: [{ type: 'upsert', task: { id: b.id } }], has_more: false });
    const none = await request(app).get(`/api/ann/tasks/changes?since=${second.body.next_since}`).expect(200);
    expect(none.body).toMatchObject({ changes: [], has_more: false });

    await request(app).put(`/api/ann/tasks/${a.id}`).send({ title: 'a2' }).expect(200);
    await request(app).delete(`/api/ann/tasks/${b.id}`).expect(204);
    const later = await request(app).get(`/api/ann/tasks/changes?since=${none.body.next_since}`).expect(200);
    expect(later.body.changes).toEqual([
      { type: 'upsert', task: expect.objectContaining({ id: a.id, title: 'a2' }) },
      { type: 'delete', id: b.id, deleted_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
    ]);
  });

  it("refuses a token it did not issue, or issued for another user's feed, with 422", async () => {
    const { app } = setUp();
    await create(app, 'ann', 'a');
    const { body } = await request(app).get('/api/ann/tasks/changes').expect(200);
    for (const since of ['nonsense', 'WzFd', body.next_since.slice(0, -2)]) {
      const response = await request(app).get(`/api/ann/tasks/changes?since=${since}`).expect(422);
      expect(response.body.detail[0]).toMatchObject({ loc: ['query', 'since'] });
    }
    await request(app).get(`/api/bob/tasks/changes?since=${body.next_since}`).expect(422);
    await request(app).get('/api/ann/tasks/changes?limit=1001').expect(422);
    await request(app).get('/api/ann/tasks/changes?limit=0').expect(422);
  });

  it('answers 410 with a FastAPI-shaped detail for a token older than the retention', async () => {
    let now = Date.now();
    const { app } = setUp({ clock: { now: () => new Date(now) } });
    await create(app, 'ann', 'a');
    const { body } = await request(app).get('/api/ann/tasks/changes').expect(200);
    now += 29 * DAY_MS;
    await request(app).get(`/api/ann/tasks/changes?since=${body.next_since}`).expect(200);
    now += 2 * DAY_MS;
    const gone = await request(app).get(`/api/ann/tasks/changes?since=${body.next_since}`).expect(410);
    expect(gone.body).toEqual({ detail: expect.stringContaining('read the whole list again') });
  });

  it('answers 410 when deletions after the token were forgotten since it was issued', async () => {
    let now = Date.now();
    const repository = new InMemoryTaskRepository({ now: () => new Date(now) });
    const useCases = taskUseCasesOn(repository);
    const app = createHttpApp({ useCases, corsOrigins: [] });
    const a = await create(app, 'ann', 'a');
    const { body } = await request(app).get('/api/ann/tasks/changes').expect(200);
    await request(app).delete(`/api/ann/tasks/${a.id}`).expect(204);
    now += 31 * DAY_MS;
    expect(await repository.forgetDeletions(30)).toBe(1);
    await request(app).get(`/api/ann/tasks/changes?since=${body.next_since}`).expect(410);
    // A client starting over is served, and can follow on from there.
    const fresh = await request(app).get('/api/ann/tasks/changes').expect(200);
    expect(fresh.body.changes).toEqual([]);
    await request(app).get(`/api/ann/tasks/changes?since=${fresh.body.next_since}`).expect(200);
  });

  it('answers 410 for a token inside a bulk deletion whose tombstones were forgotten', async () => {
    let now = Date.now();
    const repository = new InMemoryTaskRepository({ now: () => new Date(now) });
    const app = createHttpApp({ useCases: taskUseCasesOn(repository, { clock: { now: () => new Date(now) } }), corsOrigins: [] });
    for (const title of ['a', 'b', 'c']) await request(app).post('/api/ann/tasks').send({ title }).expect(201);
    await request(app).patch('/api/ann/tasks').send({ completed: true }).expect(200);
    const { body } = await request(app).get('/api/ann/tasks/changes').expect(200);
    await request(app).delete('/api/ann/tasks?completed=true').expect(200, { deleted: 3 });
    // One entry of the three-task deletion, a day later: the token sits inside that change.
    now += 86_400_000;
    const page = await request(app).get(`/api/ann/tasks/changes?since=${body.next_since}&limit=1`).expect(200);
    expect(page.body).toMatchObject({ changes: [{ type: 'delete' }], has_more: true });
    now += 30 * 86_400_000;
    await repository.forgetDeletions(30);
    await request(app).get(`/api/ann/tasks/changes?since=${page.body.next_since}`).expect(410);
  });

  it('is not taken for a task id, and answers 405 with Allow to another method', async () => {
    const { app } = setUp();
    const response = await request(app).post('/api/ann/tasks/changes').send({}).expect(405);
    expect(response.headers.allow).toBe('GET');
  });
});

describe('bulk actions on /api/{user_id}/tasks', () => {
  it('completes all open tasks with PATCH and answers how many changed', async () => {
    const { app } = setUp();
    const tasks = [await create(app, 'ann', 'a'), await create(app, 'ann', 'b'), await create(app, 'ann', 'c')];
    await request(app).patch(`/api/ann/tasks/${tasks[0]!.id}/complete`).expect(200);
    const response = await request(app).patch('/api/ann/tasks?completed=false').send({ completed: true }).expect(200);
    expect(response.body).toEqual({ updated: 2 });
    const { body } = await request(app).get('/api/ann/tasks').expect(200);
    expect(body.every((t: { completed: boolean }) => t.completed)).toBe(true);
    expect((await request(app).patch('/api/ann/tasks').send({ completed: true }).expect(200)).body).toEqual({ updated: 0 });
  });

  it('clears completed tasks with DELETE ?completed=true, and refuses a DELETE without the filter', async () => {
    const { app } = setUp();
    const a = await create(app, 'ann', 'a');
    await create(app, 'ann', 'b');
    await request(app).patch(`/api/ann/tasks/${a.id}/complete`).expect(200);
    const refused = await request(app).delete('/api/ann/tasks').expect(422);
    expect(refused.body.detail).toEqual([{ type: 'missing', loc: ['query', 'completed'], msg: 'Field required', input: null }]);
    expect((await request(app).delete('/api/ann/tasks?completed=true').expect(200)).body).toEqual({ deleted: 1 });
    expect((await request(app).get('/api/ann/tasks').expect(200)).body.map((t: { title: string }) => t.title)).toEqual(['b']);
  });

  it('takes q as a filter, and refuses a page (limit, cursor) on a bulk action', async () => {
    const { app } = setUp();
    await create(app, 'ann', 'buy milk');
    await create(app, 'ann', 'walk');
    expect((await request(app).patch('/api/ann/tasks?q=MILK').send({ completed: true }).expect(200)).body).toEqual({ updated: 1 });
    const paged = await request(app).patch('/api/ann/tasks?limit=1').send({ completed: true }).expect(422);
    expect(paged.body.detail[0]).toMatchObject({ loc: ['query', 'limit'] });
    await request(app).delete('/api/ann/tasks?completed=true&cursor=x').expect(422);
    expect((await request(app).delete('/api/ann/tasks?completed=true&q=walk').expect(200)).body).toEqual({ deleted: 0 });
    expect((await request(app).delete('/api/ann/tasks?completed=true&q=milk').expect(200)).body).toEqual({ deleted: 1 });
  });

  it('refuses a bulk update that sets nothing or sets something invalid, and changes nothing', async () => {
    const { app } = setUp();
    await create(app, 'ann', 'a');
    const empty = await request(app).patch('/api/ann/tasks').send({}).expect(422);
    expect(empty.body.detail[0]).toMatchObject({ loc: ['body'] });
    const invalid = await request(app).patch('/api/ann/tasks').send({ title: '' }).expect(422);
    expect(invalid.body.detail[0]).toMatchObject({ loc: ['body', 'title'] });
    await request(app).patch('/api/ann/tasks?completed=maybe').send({ completed: true }).expect(422);
    expect((await request(app).get('/api/ann/tasks').expect(200)).body[0]).toMatchObject({ title: 'a', completed: false });
  });
});

describe('GET /api/{user_id}/tasks/events', () => {
  it('sends each change as an event whose id resumes the stream after it, and starts from now by default', async () => {
    const { app } = setUp();
    const url = await listen(app);
    const before = await create(app, 'ann', 'before');
    const stream = openStream(`${url}/api/ann/tasks/events`);
    const res = await stream.response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache, no-transform');
    await until(() => stream.events.some((e) => e.retry !== undefined));

    const a = await create(app, 'ann', 'a');
    await until(() => stream.changes().length === 1);
    await request(app).patch('/api/ann/tasks?completed=false').send({ completed: true }).expect(200);
    await until(() => stream.changes().length === 3);
    await request(app).delete(`/api/ann/tasks/${before.id}`).expect(204);
    await until(() => stream.changes().length === 4);
    const changes = stream.changes();
    expect(changes.map((c) => c.type)).toEqual(['upsert', 'upsert', 'upsert', 'delete']);
    expect(changes[0]!.task).toMatchObject({ id: a.id, completed: false });
    expect(changes[3]).toMatchObject({ type: 'delete', id: before.id });
    expect(new Set(changes.map((c) => c.eventId)).size).toBe(4);
    // The bulk action is one change: both tasks came completed, in id order.
    expect(changes.slice(1, 3).map((c) => [c.task!.id, c.task!.completed])).toEqual([
      [before.id, true],
      [a.id, true],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.changes()).toHaveLength(4);

    // Reconnecting with the id of the first event sends what came after it, and nothing before.
    const resumed = openStream(`${url}/api/ann/tasks/events`, { 'last-event-id': changes[0]!.eventId });
    // Since then `before` was deleted and `a` completed: each task comes once, at its last change.
    await until(() => resumed.changes().length === 2);
    expect(resumed.changes().map((c) => c.type)).toEqual(['upsert', 'delete']);
    expect(resumed.changes()[0]!.task).toMatchObject({ id: a.id, completed: true });
    expect(resumed.changes().at(-1)).toMatchObject({ type: 'delete', id: before.id });
  });

  it('sends a heartbeat comment when nothing happens', async () => {
    const { app } = setUp({ heartbeatMs: 50 });
    const stream = openStream(`${await listen(app)}/api/ann/tasks/events`);
    await until(() => stream.events.some((e) => e.comment === 'heartbeat'));
  });

  it('refuses a stream beyond the limit per user with 429 and Retry-After, and takes one again when one ends', async () => {
    const { app } = setUp({ maxStreamsPerUser: 2 });
    const url = await listen(app);
    const first = openStream(`${url}/api/ann/tasks/events`);
    await first.response;
    await openStream(`${url}/api/ann/tasks/events`).response;
    const third = await openStream(`${url}/api/ann/tasks/events`).response;
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBe('2');
    expect((await openStream(`${url}/api/bob/tasks/events`).response).statusCode).toBe(200);
    (await first.response).destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await openStream(`${url}/api/ann/tasks/events`).response).statusCode).toBe(200);
  });

  it('answers 410 before streaming for an expired Last-Event-ID, and 422 for a foreign one', async () => {
    let now = Date.now();
    const { app } = setUp({ clock: { now: () => new Date(now) } });
    const url = await listen(app);
    await create(app, 'ann', 'a');
    const { body } = await request(app).get('/api/ann/tasks/changes').expect(200);
    expect((await openStream(`${url}/api/bob/tasks/events`, { 'last-event-id': body.next_since }).response).statusCode).toBe(422);
    now += 31 * DAY_MS;
    const gone = await openStream(`${url}/api/ann/tasks/events`, { 'last-event-id': body.next_since }).response;
    expect(gone.statusCode).toBe(410);
    expect(gone.headers['content-type']).toMatch(/^application\/json/);
  });

  it('refuses to open a stream whose credentials lapsed while it was being opened, with 401', async () => {
    const { streams } = setUp();
    const res = { destroyed: false } as ServerResponse;
    await expect(streams.open('ann', undefined, res, Date.now() - 1)).rejects.toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
    expect(streams.size).toBe(0);
  });

  it('ends every stream and refuses new ones once closed for shutdown', async () => {
    const { app, streams } = setUp();
    const url = await listen(app);
    const stream = openStream(`${url}/api/ann/tasks/events`);
    await stream.response;
    await until(() => streams.size === 1);
    streams.close();
    await until(stream.ended);
    expect((await openStream(`${url}/api/ann/tasks/events`).response).statusCode).toBe(503);
  });
});
