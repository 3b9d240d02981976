import { gzipSync } from 'node:zlib';
import { buildOpenApiDocument } from '@tasks/adapters-http';
import { encodeFeedToken, FEED_START, StorageUnavailableError, type TaskRepository, type TaskUseCases, taskUseCasesOn } from '@tasks/domain';
import { failingTaskRepository, InMemoryTaskRepository } from '@tasks/domain/testing';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, checkedAgainstOpenApi, declaredStatuses } from './openapi-conformance.js';

/** A user id that stays one path segment as it is: no NUL, no characters a URL treats specially, no dots alone. */
const isPlainPathSegment = (s: string) => !s.includes('\u0000') && !/[/?#%\\]/.test(s) && s.trim() === s && s !== '.' && s !== '..';

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** An application that serves the task routes, as the HTTP contract suite exercises it. */
export interface HttpContractSubject {
  /** Builds the application on these use cases; `bodyLimitBytes` as `taskRouter` takes it. */
  app(useCases: TaskUseCases, options?: { bodyLimitBytes?: number }): App;
  /** Where the application mounts the task routes (`/api` in the service). */
  readonly base: string;
  /**
   * True when the task routes read request bodies with their own parser. False when the application puts
   * a JSON parser of its own in front, which then decides about malformed, compressed and oversized bodies.
   */
  readonly ownBodyParser: boolean;
  /** An empty repository for each test; the in-memory one when absent. */
  freshRepository?(): Promise<TaskRepository>;
  /** Called with every response, for what the subject itself must add to each one. */
  everyResponse?(response: { status: number; headers: Record<string, string> }): void;
}

/**
 * Statuses the document declares that this suite cannot produce through supertest, each with the test
 * that does: a live stream never ends, so its answers are read from a socket.
 */
const SEEN_ELSEWHERE = new Set([
  'GET /api/{user_id}/tasks/events 200', // change-feed.test.ts, change-feed.int.test.ts
  'GET /api/{user_id}/tasks/events 429', // change-feed.test.ts: too many streams
]);

/**
 * The HTTP contract of the task routes, written once: every status, body and header a client of the
 * first plan relies on. Every response is also checked against the OpenAPI document.
 */
export function describeHttpContract(name: string, subject: HttpContractSubject): void {
  const { base } = subject;
  const document = buildOpenApiDocument();
  const checked = checkedAgainstOpenApi(document, { mountedAt: base });
  const request = (target: App) => {
    const agent = checked.request(target);
    const observed =
      <M extends keyof typeof agent>(method: M) =>
      (url: string) => {
        const test = agent[method](url);
        return subject.everyResponse ? test.on('response', subject.everyResponse) : test;
      };
    return {
      get: observed('get'),
      post: observed('post'),
      put: observed('put'),
      patch: observed('patch'),
      delete: observed('delete'),
      head: observed('head'),
      options: observed('options'),
    };
  };
  const appOn = (repository: TaskRepository = new InMemoryTaskRepository(), bodyLimitBytes?: number) =>
    subject.app(taskUseCasesOn(repository), bodyLimitBytes === undefined ? {} : { bodyLimitBytes });

  let app: App;
  beforeEach(async () => {
    app = appOn(subject.freshRepository ? await subject.freshRepository() : undefined);
  });
  afterEach(() => {
    expect(checked.violations.splice(0), 'responses that do not match the OpenAPI document').toEqual([]);
  });

  async function createTask(userId: string, body: object = { title: 'Buy milk' }) {
    const response = await request(app).post(`${base}/${userId}/tasks`).send(body).expect(201);
    return response.body as { id: number; created_at: string; updated_at: string };
  }

  describe(`${name} keeps the HTTP contract`, () => {
    describe('POST /api/{user_id}/tasks', () => {
      it('creates an open task and answers 201 with the whole task', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).send({ title: 'Buy milk', description: '2 litres' });

        expect(response.status).toBe(201);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.body).toEqual({
          id: expect.any(Number),
          user_id: 'alice',
          title: 'Buy milk',
          description: '2 litres',
          completed: false,
          created_at: expect.stringMatching(ISO_UTC),
          updated_at: expect.stringMatching(ISO_UTC),
        });
        expect(response.body.updated_at).toBe(response.body.created_at);
        expect(response.headers.location).toBe(`${base}/alice/tasks/${response.body.id}`);
      });

      it('stores a missing description as null', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).send({ title: 'No description' }).expect(201);
        expect(response.body.description).toBeNull();
      });

      it('ignores fields it does not know, as FastAPI does', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).send({ title: 't', completed: true, id: 999, user_id: 'bob' });
        expect(response.status).toBe(201);
        expect(response.body).toMatchObject({ user_id: 'alice', completed: false });
        expect(response.body.id).not.toBe(999);
      });

      it.each([
        ['a title of 200 characters', { title: 'x'.repeat(200) }],
        ['a title of 200 emoji (code points, not UTF-16 units)', { title: '🚀'.repeat(200) }],
        ['a description of 1000 characters', { title: 't', description: 'd'.repeat(1000) }],
        ['an explicit null description', { title: 't', description: null }],
      ])('accepts %s', async (_, body) => {
        await request(app).post(`${base}/alice/tasks`).send(body).expect(201);
      });

      it.each([
        ['no title', {}, { type: 'missing', loc: ['body', 'title'], msg: 'Field required', input: {} }],
        ['an empty title', { title: '' }, { type: 'string_too_short', loc: ['body', 'title'], input: '', ctx: { min_length: 1 } }],
        ['a title of 201 characters', { title: 'x'.repeat(201) }, { type: 'string_too_long', loc: ['body', 'title'], ctx: { max_length: 200 } }],
        [
          'a description of 1001 characters',
          { title: 't', description: 'd'.repeat(1001) },
          { type: 'string_too_long', loc: ['body', 'description'], ctx: { max_length: 1000 } },
        ],
        ['a numeric title', { title: 123 }, { type: 'string_type', loc: ['body', 'title'], msg: 'Input should be a valid string', input: 123 }],
        ['a null title', { title: null }, { type: 'string_type', loc: ['body', 'title'], input: null }],
        ['a boolean description', { title: 't', description: true }, { type: 'string_type', loc: ['body', 'description'] }],
        ['a NUL character in the title', { title: 'a\u0000b' }, { loc: ['body', 'title'] }],
      ])('answers 422 in FastAPI shape for %s', async (_, body, issue) => {
        const response = await request(app).post(`${base}/alice/tasks`).send(body);
        expect(response.status).toBe(422);
        expect(response.body.detail).toHaveLength(1);
        expect(response.body.detail[0]).toMatchObject(issue);
        expect(typeof response.body.detail[0].msg).toBe('string');
      });

      it('answers a deeply nested body with a JSON 422, never a stack trace', async () => {
        const deep = `{"description":${'['.repeat(6000)}${']'.repeat(6000)}}`;
        const response = await request(app).post(`${base}/alice/tasks`).set('Content-Type', 'application/json').send(deep);
        expect(response.status).toBe(422);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.text).not.toMatch(/RangeError|at |node_modules/);
        expect(response.body.detail.map((issue: { loc: unknown[] }) => issue.loc)).toEqual([
          ['body', 'title'],
          ['body', 'description'],
        ]);
      });

      it('refuses a lone surrogate, which is no character at all', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).set('Content-Type', 'application/json').send('{"title":"\\ud800"}');
        expect(response.status).toBe(422);
        expect(response.body.detail[0]).toMatchObject({ type: 'string_unicode', loc: ['body', 'title'] });
      });

      it('reports every fault of a body, one entry each', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).send({ title: '', description: 5 }).expect(422);
        expect(response.body.detail.map((issue: { loc: unknown[] }) => issue.loc)).toEqual([
          ['body', 'title'],
          ['body', 'description'],
        ]);
      });

      it('answers 422 missing body for a POST without a body', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).set('Content-Type', 'application/json');
        expect(response.status).toBe(422);
        expect(response.body).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
      });

      it('answers 422 when the body is JSON but not an object', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).set('Content-Type', 'application/json').send('["title"]');
        expect(response.status).toBe(422);
        expect(response.body.detail[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
      });

      it('answers 409 once the user has the most tasks a user may have, and stores nothing more', async () => {
        const repository = new InMemoryTaskRepository();
        await repository.limitTasksPerUser(2);
        const limited = appOn(repository);
        for (const title of ['one', 'two']) await request(limited).post(`${base}/alice/tasks`).send({ title }).expect(201);
        const refused = await request(limited).post(`${base}/alice/tasks`).send({ title: 'three' });
        expect(refused.status).toBe(409);
        expect(refused.body).toEqual({ detail: expect.stringMatching(/at most 2 tasks/) });
        expect((await request(limited).get(`${base}/alice/tasks`)).body).toHaveLength(2);
        await request(limited).post(`${base}/bob/tasks`).send({ title: 'someone else' }).expect(201);
      });

      it('answers 422 for a user id longer than 255 characters', async () => {
        const response = await request(app)
          .post(`${base}/${'u'.repeat(256)}/tasks`)
          .send({ title: 't' });
        expect(response.status).toBe(422);
        expect(response.body.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['path', 'user_id'] });
      });
    });

    describe('GET /api/{user_id}/tasks', () => {
      it("lists the user's tasks, oldest first, and nobody else's", async () => {
        const first = await createTask('alice', { title: 'first' });
        await createTask('bob', { title: 'not yours' });
        const second = await createTask('alice', { title: 'second' });

        const response = await request(app).get(`${base}/alice/tasks`).expect(200);
        expect(response.body.map((task: { id: number }) => task.id)).toEqual([first.id, second.id]);
      });

      it('answers an empty array for a user without tasks', async () => {
        const response = await request(app).get(`${base}/nobody/tasks`).expect(200);
        expect(response.body).toEqual([]);
      });

      it('decodes an escaped user id in the path', async () => {
        await createTask('a b@example.com');
        const response = await request(app).get(`${base}/a%20b%40example.com/tasks`).expect(200);
        expect(response.body[0].user_id).toBe('a b@example.com');
      });
    });

    describe('GET /api/{user_id}/tasks/{id}', () => {
      it('returns the task to its owner', async () => {
        const task = await createTask('alice');
        const response = await request(app).get(`${base}/alice/tasks/${task.id}`).expect(200);
        expect(response.body).toMatchObject({ id: task.id, user_id: 'alice', title: 'Buy milk' });
      });

      it('answers 404 when the task belongs to another user, exactly as for a missing one', async () => {
        const task = await createTask('alice');
        const foreign = await request(app).get(`${base}/bob/tasks/${task.id}`);
        const missing = await request(app).get(`${base}/bob/tasks/987654`);
        expect(foreign.status).toBe(404);
        expect(foreign.body).toEqual({ detail: 'Task not found' });
        expect(missing.status).toBe(404);
        expect(missing.body).toEqual(foreign.body);
      });

      it.each(['ID.0', '0_ID', '%20ID%20', '+ID'])('reads the id %s as an integer, as pydantic does', async (spelling) => {
        const task = await createTask('alice');
        const response = await request(app).get(`${base}/alice/tasks/${spelling.replace('ID', String(task.id))}`);
        expect(response.status).toBe(200);
        expect(response.body.id).toBe(task.id);
      });

      it.each(['abc', '1.5', '1e3', '0x10', '1__0', '_1'])('answers 422 int_parsing for the id %s', async (id) => {
        const response = await request(app).get(`${base}/alice/tasks/${id}`);
        expect(response.status).toBe(422);
        expect(response.body.detail).toEqual([
          { type: 'int_parsing', loc: ['path', 'id'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: id },
        ]);
      });

      it.each(['0', '-1', '99999999999999999999999'])('answers 404 for the id %s, which no task can have', async (id) => {
        const response = await request(app).get(`${base}/alice/tasks/${id}`);
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ detail: 'Task not found' });
      });
    });

    describe('PUT /api/{user_id}/tasks/{id}', () => {
      it('changes only the fields sent and moves updated_at, not created_at', async () => {
        const task = await createTask('alice', { title: 'old', description: 'keep' });
        const response = await request(app).put(`${base}/alice/tasks/${task.id}`).send({ completed: true }).expect(200);
        expect(response.body).toMatchObject({ title: 'old', description: 'keep', completed: true, created_at: task.created_at });
        expect(Date.parse(response.body.updated_at)).toBeGreaterThan(Date.parse(task.created_at));
      });

      it('clears the description when sent as null', async () => {
        const task = await createTask('alice', { title: 't', description: 'gone soon' });
        const response = await request(app).put(`${base}/alice/tasks/${task.id}`).send({ description: null }).expect(200);
        expect(response.body.description).toBeNull();
      });

      it.each([
        [{ completed: 'yes' }, { type: 'bool_type', loc: ['body', 'completed'], msg: 'Input should be a valid boolean', input: 'yes' }],
        [{ completed: null }, { type: 'bool_type', loc: ['body', 'completed'] }],
        [{ title: null }, { type: 'string_type', loc: ['body', 'title'] }],
        [{ title: '' }, { type: 'string_too_short', loc: ['body', 'title'] }],
        [{ title: 'x'.repeat(201) }, { type: 'string_too_long', loc: ['body', 'title'] }],
      ])('answers 422 for %j and changes nothing', async (body, issue) => {
        const task = await createTask('alice', { title: 'unchanged' });
        const response = await request(app).put(`${base}/alice/tasks/${task.id}`).send(body);
        expect(response.status).toBe(422);
        expect(response.body.detail[0]).toMatchObject(issue);
        const after = await request(app).get(`${base}/alice/tasks/${task.id}`);
        expect(after.body).toMatchObject({ title: 'unchanged', completed: false, updated_at: task.updated_at });
      });

      it("answers 404 for another user's task and leaves it untouched", async () => {
        const task = await createTask('alice', { title: 'mine' });
        await request(app).put(`${base}/bob/tasks/${task.id}`).send({ title: 'stolen' }).expect(404, { detail: 'Task not found' });
        expect((await request(app).get(`${base}/alice/tasks/${task.id}`)).body.title).toBe('mine');
      });

      it('reports a bad id and a bad body together', async () => {
        const response = await request(app).put(`${base}/alice/tasks/abc`).send({ title: '' }).expect(422);
        expect(response.body.detail.map((issue: { loc: unknown[] }) => issue.loc)).toEqual([
          ['path', 'id'],
          ['body', 'title'],
        ]);
      });
    });

    describe('DELETE /api/{user_id}/tasks/{id}', () => {
      it('answers 204 with an empty body, then 404', async () => {
        const task = await createTask('alice');
        const response = await request(app).delete(`${base}/alice/tasks/${task.id}`);
        expect(response.status).toBe(204);
        expect(response.text).toBe('');
        await request(app).delete(`${base}/alice/tasks/${task.id}`).expect(404, { detail: 'Task not found' });
        await request(app).get(`${base}/alice/tasks/${task.id}`).expect(404);
      });

      it("answers 404 for another user's task and keeps it", async () => {
        const task = await createTask('alice');
        await request(app).delete(`${base}/bob/tasks/${task.id}`).expect(404);
        await request(app).get(`${base}/alice/tasks/${task.id}`).expect(200);
      });
    });

    describe('PATCH /api/{user_id}/tasks/{id}/complete', () => {
      it('flips completed each time', async () => {
        const task = await createTask('alice');
        const done = await request(app).patch(`${base}/alice/tasks/${task.id}/complete`).expect(200);
        expect(done.body.completed).toBe(true);
        const open = await request(app).patch(`${base}/alice/tasks/${task.id}/complete`).expect(200);
        expect(open.body.completed).toBe(false);
      });

      it("answers 404 for another user's task", async () => {
        const task = await createTask('alice');
        await request(app).patch(`${base}/bob/tasks/${task.id}/complete`).expect(404, { detail: 'Task not found' });
      });

      it('answers 422 for a non-integer id', async () => {
        const response = await request(app).patch(`${base}/alice/tasks/first/complete`).expect(422);
        expect(response.body.detail[0].type).toBe('int_parsing');
      });
    });

    describe('properties', () => {
      it('accepts a title exactly when it has 1 to 200 characters', async () => {
        await fc.assert(
          fc.asyncProperty(fc.string({ unit: 'grapheme-composite', maxLength: 260 }), async (title) => {
            const length = [...title].length;
            const response = await request(app).post(`${base}/prop/tasks`).send({ title });
            const valid = length >= 1 && length <= 200 && !title.includes('\u0000');
            expect(response.status).toBe(valid ? 201 : 422);
            if (valid) expect(response.body.title).toBe(title);
          }),
          { numRuns: 60 },
        );
      });

      it("never shows, changes or deletes one user's task through another user's path", async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.string({ minLength: 1, maxLength: 20 }).filter(isPlainPathSegment),
            fc.string({ minLength: 1, maxLength: 20 }).filter(isPlainPathSegment),
            async (owner, other) => {
              fc.pre(owner !== other);
              const tasksOf = (user: string) => `${base}/${encodeURIComponent(user)}/tasks`;
              const task = (await request(app).post(tasksOf(owner)).send({ title: 'private' }).expect(201)).body;

              await request(app)
                .get(`${tasksOf(other)}/${task.id}`)
                .expect(404);
              await request(app)
                .put(`${tasksOf(other)}/${task.id}`)
                .send({ title: 'x' })
                .expect(404);
              await request(app)
                .patch(`${tasksOf(other)}/${task.id}/complete`)
                .expect(404);
              await request(app)
                .delete(`${tasksOf(other)}/${task.id}`)
                .expect(404);
              const listed = (await request(app).get(tasksOf(other)).expect(200)).body as { id: number }[];
              expect(listed.map((t) => t.id)).not.toContain(task.id);

              const mine = await request(app)
                .get(`${tasksOf(owner)}/${task.id}`)
                .expect(200);
              expect(mine.body).toEqual(task);
            },
          ),
          { numRuns: 40 },
        );
      });
    });

    describe('GET /api/{user_id}/tasks with filters, order and pages', () => {
      async function seedTitles(userId: string, titles: string[]) {
        const created = [];
        for (const title of titles) created.push(await createTask(userId, { title }));
        return created;
      }

      it('answers the full list without limit, as before, and no Link header', async () => {
        await seedTitles('plain', ['a', 'b', 'c']);
        const response = await request(app).get(`${base}/plain/tasks`).expect(200);
        expect(response.body).toHaveLength(3);
        expect(response.headers.link).toBeUndefined();
      });

      it('filters by completion', async () => {
        const [, second] = await seedTitles('filter', ['a', 'b', 'c']);
        await request(app).patch(`${base}/filter/tasks/${second!.id}/complete`).expect(200);
        const done = await request(app).get(`${base}/filter/tasks?completed=true`).expect(200);
        expect(done.body.map((task: { id: number }) => task.id)).toEqual([second!.id]);
        const open = await request(app).get(`${base}/filter/tasks?completed=false`).expect(200);
        expect(open.body).toHaveLength(2);
      });

      it('finds tasks by the words of q, in pages that keep q in their Link', async () => {
        await seedTitles('finder', ['Buy milk', 'buy bread', 'Milk the cow', 'walk']);
        const found = await request(app).get(`${base}/finder/tasks?q=MILK`).expect(200);
        expect(found.body.map((task: { title: string }) => task.title)).toEqual(['Buy milk', 'Milk the cow']);
        const both = await request(app).get(`${base}/finder/tasks?q=buy%20milk`).expect(200);
        expect(both.body.map((task: { title: string }) => task.title)).toEqual(['Buy milk']);
        const page = await request(app).get(`${base}/finder/tasks?q=milk&limit=1`).expect(200);
        expect(page.headers.link).toMatch(/[?&]q=milk&limit=1&cursor=/);
      });

      it('refuses an empty q, one without a word and one too long, in FastAPI shape', async () => {
        const empty = await request(app).get(`${base}/finder/tasks?q=`).expect(422);
        expect(empty.body.detail[0]).toMatchObject({ type: 'string_too_short', loc: ['query', 'q'] });
        const blank = await request(app).get(`${base}/finder/tasks?q=%20%20`).expect(422);
        expect(blank.body.detail[0]).toMatchObject({ loc: ['query', 'q'] });
        await request(app)
          .get(`${base}/finder/tasks?q=${'x'.repeat(201)}`)
          .expect(422);
      });

      it('takes the last value of a repeated query parameter, as FastAPI does', async () => {
        await seedTitles('repeated', ['a', 'b', 'c']);
        const response = await request(app).get(`${base}/repeated/tasks?limit=1&limit=2`).expect(200);
        expect(response.body).toHaveLength(2);
        await request(app).get(`${base}/repeated/tasks?limit=abc&limit=2`).expect(200);
        await request(app).get(`${base}/repeated/tasks?limit=2&limit=abc`).expect(422);
      });

      it('orders by title, descending', async () => {
        await seedTitles('sorter', ['b', 'c', 'a']);
        const response = await request(app).get(`${base}/sorter/tasks?sort=-title`).expect(200);
        expect(response.body.map((task: { title: string }) => task.title)).toEqual(['c', 'b', 'a']);
      });

      it('walks every page by the Link header, each task once, keeping filter and order', async () => {
        const created = await seedTitles('walker', ['e', 'b', 'g', 'a', 'f', 'c', 'd']);
        const seen: string[] = [];
        let next: string | undefined = `${base}/walker/tasks?sort=title&limit=3`;
        let pages = 0;
        while (next) {
          const response = await request(app).get(next).expect(200);
          seen.push(...response.body.map((task: { title: string }) => task.title));
          const link = response.headers.link as string | undefined;
          const url = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
          if (link) expect(url).toBeDefined();
          next = url ? new URL(url).pathname + new URL(url).search : undefined;
          if (url) expect(new URL(url).searchParams.get('sort')).toBe('title');
          pages++;
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
        expect(seen).toHaveLength(created.length);
      });

      it.each([
        ['completed=yes', { type: 'bool_parsing', loc: ['query', 'completed'], input: 'yes' }],
        ['sort=priority', { type: 'enum', loc: ['query', 'sort'], input: 'priority' }],
        ['limit=0', { type: 'greater_than_equal', loc: ['query', 'limit'], ctx: { ge: 1 } }],
        ['limit=101', { type: 'less_than_equal', loc: ['query', 'limit'], ctx: { le: 100 } }],
        ['limit=ten', { type: 'int_parsing', loc: ['query', 'limit'] }],
        ['limit=2&cursor=not-a-cursor', { type: 'value_error', loc: ['query', 'cursor'] }],
      ])('answers 422 for %s', async (query, issue) => {
        const response = await request(app).get(`${base}/alice/tasks?${query}`);
        expect(response.status).toBe(422);
        expect(response.body.detail[0]).toMatchObject(issue);
      });

      it('never reflects a Host header that is not a host into the Link', async () => {
        await seedTitles('hosty', ['a', 'b']);
        const response = await request(app).get(`${base}/hosty/tasks?limit=1`).set('Host', 'evil.example>; rel="x", <https://evil.example/').expect(200);
        expect(response.headers.link).toMatch(new RegExp(`^<${base}/hosty/tasks\\?limit=1&cursor=[^>]+>; rel="next"$`));
      });

      it('ignores query parameters it does not know', async () => {
        await request(app).get(`${base}/alice/tasks?page=2&foo=bar`).expect(200);
      });
    });

    describe('conditional requests', () => {
      it('sends a strong ETag with every single task, and a new one after each change', async () => {
        const created = await request(app).post(`${base}/alice/tasks`).send({ title: 't' }).expect(201);
        const etag = created.headers.etag as string;
        expect(etag).toMatch(/^"[^"]+"$/);
        expect((await request(app).get(`${base}/alice/tasks/${created.body.id}`)).headers.etag).toBe(etag);
        const changed = await request(app).put(`${base}/alice/tasks/${created.body.id}`).send({ completed: true }).expect(200);
        expect(changed.headers.etag).not.toBe(etag);
        const toggled = await request(app).patch(`${base}/alice/tasks/${created.body.id}/complete`).expect(200);
        expect(toggled.headers.etag).not.toBe(changed.headers.etag);
      });

      it('answers GET with If-None-Match of the current tag with 304 and no body, and 200 once it changed', async () => {
        const created = await request(app).post(`${base}/alice/tasks`).send({ title: 't' }).expect(201);
        const url = `${base}/alice/tasks/${created.body.id}`;
        const etag = created.headers.etag as string;
        const cached = await request(app).get(url).set('If-None-Match', etag);
        expect(cached.status).toBe(304);
        expect(cached.text).toBe('');
        await request(app).patch(`${url}/complete`).expect(200);
        await request(app).get(url).set('If-None-Match', etag).expect(200);
      });

      it.each([
        ['put', (url: string) => request(app).put(url).send({ title: 'mine' })],
        ['patch', (url: string) => request(app).patch(`${url}/complete`)],
        ['delete', (url: string) => request(app).delete(url)],
      ] as const)('applies %s with If-Match of the current tag, and refuses it with 412 once the task changed', async (_, send) => {
        const created = await request(app).post(`${base}/alice/tasks`).send({ title: 't' }).expect(201);
        const url = `${base}/alice/tasks/${created.body.id}`;
        const stale = created.headers.etag as string;
        const other = await request(app).put(url).send({ title: 'someone else' }).expect(200);

        const refused = await send(url).set('If-Match', stale);
        expect(refused.status).toBe(412);
        expect(typeof refused.body.detail).toBe('string');
        expect((await request(app).get(url)).body).toEqual(other.body);

        const applied = await send(url).set('If-Match', other.headers.etag as string);
        expect(applied.status).toBeLessThan(300);
      });

      it('refuses a weak or malformed If-Match tag (strong comparison) and accepts *', async () => {
        const created = await request(app).post(`${base}/alice/tasks`).send({ title: 't' }).expect(201);
        const url = `${base}/alice/tasks/${created.body.id}`;
        await request(app).put(url).set('If-Match', '"01"').send({ title: 'x' }).expect(412);
        await request(app).put(url).set('If-Match', `${created.headers.etag}, junk`).send({ title: 'x' }).expect(412);
        await request(app).put(url).set('If-Match', `W/${created.headers.etag}`).send({ title: 'x' }).expect(412);
        await request(app).put(url).set('If-Match', 'garbage').send({ title: 'x' }).expect(412);
        await request(app).put(url).set('If-Match', '*').send({ title: 'x' }).expect(200);
      });

      it('answers 404, not 412, for a conditional change of a task that does not exist', async () => {
        await request(app).put(`${base}/alice/tasks/424242`).set('If-Match', '"1"').send({ title: 'x' }).expect(404, { detail: 'Task not found' });
      });
    });

    describe('Idempotency-Key on POST', () => {
      it('answers a repeat of the same request with the original 201 and creates nothing', async () => {
        const send = () => request(app).post(`${base}/alice/tasks`).set('Idempotency-Key', 'order-42').send({ title: 'pay rent' });
        const first = await send().expect(201);
        const repeat = await send().expect(201);
        expect(repeat.body).toEqual(first.body);
        expect((await request(app).get(`${base}/alice/tasks`)).body).toHaveLength(1);
      });

      it('answers the same key with a different body with 422 and a string detail', async () => {
        await request(app).post(`${base}/alice/tasks`).set('Idempotency-Key', 'k').send({ title: 'one' }).expect(201);
        const response = await request(app).post(`${base}/alice/tasks`).set('Idempotency-Key', 'k').send({ title: 'two' });
        expect(response.status).toBe(422);
        expect(typeof response.body.detail).toBe('string');
        expect((await request(app).get(`${base}/alice/tasks`)).body).toHaveLength(1);
      });

      it('refuses a key that is not 1 to 255 visible ASCII characters', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).set('Idempotency-Key', 'x'.repeat(256)).send({ title: 't' });
        expect(response.status).toBe(422);
        // The key that was sent is echoed, as FastAPI echoes any invalid input.
        expect(response.body.detail[0]).toMatchObject({ loc: ['header', 'idempotency-key'], input: 'x'.repeat(256) });
      });
    });

    describe('routes and methods', () => {
      it.each([
        ['put', `${base}/alice/tasks`, 'GET, POST, PATCH, DELETE'],
        ['post', `${base}/alice/tasks/changes`, 'GET'],
        ['delete', `${base}/alice/tasks/events`, 'GET'],
        ['patch', `${base}/alice/tasks/1`, 'GET, PUT, DELETE'],
        ['get', `${base}/alice/tasks/1/complete`, 'PATCH'],
      ] as const)('answers 405 for %s %s with the allowed methods', async (method, path, allow) => {
        const response = await request(app)[method](path);
        expect(response.status).toBe(405);
        expect(response.body).toEqual({ detail: 'Method Not Allowed' });
        expect(response.headers.allow).toBe(allow);
      });

      it('takes one trailing slash as the same route', async () => {
        const created = await createTask('alice');
        await request(app).get(`${base}/alice/tasks/`).expect(200);
        await request(app).get(`${base}/alice/tasks/${created.id}/`).expect(200);
        await request(app).patch(`${base}/alice/tasks/${created.id}/complete/`).expect(200);
      });

      it('answers HEAD as GET, without a body', async () => {
        const created = await createTask('alice');
        const response = await request(app).head(`${base}/alice/tasks/${created.id}`);
        expect(response.status).toBe(200);
        expect(response.headers.etag).toMatch(/^"\d+"$/);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.text).toBeUndefined();
      });

      it('decodes percent-escapes in the user id, and gives a Location that escapes it again', async () => {
        const response = await request(app).post(`${base}/j%C3%B6rg%20m/tasks`).send({ title: 't' }).expect(201);
        expect(response.body.user_id).toBe('jörg m');
        expect(response.headers.location).toBe(`${base}/j%C3%B6rg%20m/tasks/${response.body.id}`);
        await request(app)
          .get(response.headers.location as string)
          .expect(200);
      });

      it('answers a malformed escape in the path with 400', async () => {
        const response = await request(app).get(`${base}/%E0%A4%A/tasks`);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ detail: 'Bad Request' });
      });

      it('answers 503 with Retry-After when the database is unreachable', async () => {
        const down = appOn(failingTaskRepository(new StorageUnavailableError(new Error('connect ECONNREFUSED'))));
        const response = await request(down).get(`${base}/alice/tasks`);
        expect(response.status).toBe(503);
        expect(response.body).toEqual({ detail: 'Service temporarily unavailable' });
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      });
    });

    describe('every operation while the database is unreachable', () => {
      it.each([
        ['post', '/alice/tasks', { title: 't' }],
        ['get', '/alice/tasks', undefined],
        ['patch', '/alice/tasks', { completed: true }],
        ['delete', '/alice/tasks?completed=true', undefined],
        ['get', '/alice/tasks/1', undefined],
        ['put', '/alice/tasks/1', { title: 't' }],
        ['delete', '/alice/tasks/1', undefined],
        ['patch', '/alice/tasks/1/complete', undefined],
        ['get', '/alice/tasks/changes', undefined],
        ['get', '/alice/tasks/events', undefined],
      ] as const)('%s %s answers 503 with Retry-After', async (method, path, body) => {
        const down = appOn(failingTaskRepository(new StorageUnavailableError(new Error('connect ECONNREFUSED'))));
        const pending = request(down)[method](`${base}${path}`);
        const response = await (body ? pending.send(body) : pending);
        expect(response.status).toBe(503);
        expect(response.body).toEqual({ detail: 'Service temporarily unavailable' });
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      });
    });

    describe('bulk actions and the change feed', () => {
      it('completes all open tasks and clears the completed ones, answering how many', async () => {
        const first = await createTask('bulk');
        await createTask('bulk');
        await request(app).patch(`${base}/bulk/tasks/${first.id}/complete`).expect(200);
        await request(app).patch(`${base}/bulk/tasks?completed=false`).send({ completed: true }).expect(200, { updated: 1 });
        await request(app).delete(`${base}/bulk/tasks?completed=true`).expect(200, { deleted: 2 });
        await request(app).get(`${base}/bulk/tasks`).expect(200, []);
      });

      it('refuses a bulk change with a bad filter or body, and a clear without a filter', async () => {
        await request(app).patch(`${base}/bulk/tasks?completed=maybe`).send({ completed: true }).expect(422);
        await request(app).patch(`${base}/bulk/tasks`).send({ completed: 'yes' }).expect(422);
        await request(app).delete(`${base}/bulk/tasks`).expect(422);
        await request(app).delete(`${base}/bulk/tasks/abc`).expect(422);
      });

      if (subject.ownBodyParser) {
        it.each([
          ['patch', '/bulk/tasks'],
          ['put', '/bulk/tasks/1'],
          ['post', '/bulk/tasks'],
        ] as const)('answers %s %s with 413 for an oversized body and 415 for one that is not JSON', async (method, path) => {
          await request(app)
            [method](`${base}${path}`)
            .send({ title: 'x'.repeat(70_000) })
            .expect(413);
          await request(app)[method](`${base}${path}`).set('Content-Type', 'text/plain').send('title=x').expect(415);
        });
      }

      it('answers the feed from its beginning, 422 for a token it did not issue and 410 for one older than the retention', async () => {
        const task = await createTask('feed');
        const feed = await request(app).get(`${base}/feed/tasks/changes`).expect(200);
        expect(feed.body).toMatchObject({ changes: [{ type: 'upsert', task: { id: task.id } }], has_more: false });
        const old = encodeFeedToken({ userId: 'feed', position: FEED_START, horizon: 0, issuedAt: new Date(0) });
        await request(app).get(`${base}/feed/tasks/changes?since=${old}`).expect(410);
        await request(app).get(`${base}/feed/tasks/changes?since=not-a-token`).expect(422);
        await request(app).get(`${base}/feed/tasks/events`).set('Last-Event-ID', old).expect(410);
        await request(app).get(`${base}/feed/tasks/events?since=not-a-token`).expect(422);
      });
    });

    describe('request bodies the routes read themselves', () => {
      it('reads a body sent without a content type as JSON, as FastAPI does', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).unset('Content-Type').send(Buffer.from('{"title":"raw"}'));
        expect(response.status).toBe(201);
      });

      it('answers 415 for a body that is declared as something other than JSON, and stores nothing', async () => {
        const response = await request(app).post(`${base}/alice/tasks`).set('Content-Type', 'text/plain').send('title=x');
        expect(response.status).toBe(415);
        expect(typeof response.body.detail).toBe('string');
        await request(app).get(`${base}/alice/tasks`).expect(200, []);
      });
    });

    if (subject.ownBodyParser) {
      describe("request bodies, as the routes' own parser reads them", () => {
        it('refuses invalid UTF-8 instead of storing replacement characters', async () => {
          const response = await request(app)
            .post(`${base}/alice/tasks`)
            .set('Content-Type', 'application/json')
            .serialize((bytes: Buffer) => bytes as never)
            .send(Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xc3]), Buffer.from('"}')]) as never);
          expect(response.status).toBe(422);
          expect(response.body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 0] });
          expect((await request(app).get(`${base}/alice/tasks`)).body).toEqual([]);
        });

        it('answers 422 json_invalid with the offset of malformed JSON', async () => {
          const response = await request(app).post(`${base}/alice/tasks`).set('Content-Type', 'application/json').send('{"title": "x",}').expect(422);
          expect(response.body).toEqual({
            detail: [{ type: 'json_invalid', loc: ['body', 14], msg: 'JSON decode error', input: {}, ctx: { error: expect.any(String) } }],
          });
        });

        it('answers 415 for a compressed body, and stores nothing', async () => {
          const response = await request(app)
            .post(`${base}/alice/tasks`)
            .set('Content-Type', 'application/json')
            .set('Content-Encoding', 'gzip')
            .send(gzipSync(JSON.stringify({ title: 'zipped' })));
          expect(response.status).toBe(415);
          expect(response.body).toEqual({ detail: 'Unsupported Content-Encoding: gzip' });
          await request(app).get(`${base}/alice/tasks`).expect(200, []);
        });

        it('answers 413 for a body over the limit, and stores nothing', async () => {
          const small = appOn(new InMemoryTaskRepository(), 1024);
          const response = await request(small)
            .post(`${base}/alice/tasks`)
            .send({ title: 't', description: 'd'.repeat(2000) });
          expect(response.status).toBe(413);
          expect(response.body).toEqual({ detail: 'Request body too large' });
          expect((await request(small).get(`${base}/alice/tasks`)).body).toEqual([]);
        });

        it('answers 422 missing body for a JSON null, as FastAPI does', async () => {
          const response = await request(app).post(`${base}/alice/tasks`).set('Content-Type', 'application/json').send('null');
          expect(response.status).toBe(422);
          expect(response.body).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
        });
      });
    }

    // Last, once every test above has been answered: the other half of the document's truth.
    describe('the OpenAPI document, against everything this suite saw', () => {
      it('declares no status that no test of the suite has seen its operation answer', () => {
        const unseen: string[] = [];
        for (const [operation, statuses] of declaredStatuses(document)) {
          for (const status of statuses) {
            // Behind a host's own JSON parser, the host answers oversized and non-JSON bodies itself.
            const hostsAnswer = !subject.ownBodyParser && (status === '413' || status === '415');
            if (!checked.observed.get(operation)?.has(status) && !SEEN_ELSEWHERE.has(`${operation} ${status}`) && !hostsAnswer) {
              unseen.push(`${operation} ${status}`);
            }
          }
        }
        expect(unseen, 'statuses the document declares that no test produced').toEqual([]);
      });
    });
  });
}
