// A typed client of the task service, generated from its OpenAPI document: types by openapi-typescript
// (src/api.d.ts, `npm run example:client:generate`), requests by openapi-fetch. It walks through what a
// frontend does and fails loudly if the service answers anything else. Run it against a service:
//   TASKS_URL=http://localhost:8000 npm run example:client
import { strict as assert } from 'node:assert';
import createClient from 'openapi-fetch';
import type { paths } from './api.js';

const client = createClient<paths>({ baseUrl: process.env.TASKS_URL ?? 'http://localhost:8000' });
const user_id = `client-example-${Date.now()}`;
const path = { user_id };

/** A header the document says is always sent. */
function header(response: Response, name: string): string {
  const value = response.headers.get(name);
  if (value === null) throw new Error(`${response.url} answered ${response.status} without ${name}`);
  return value;
}

// Create, safely retried: the same Idempotency-Key twice gives the same task.
const key = `create-${user_id}`;
const created = await client.POST('/api/{user_id}/tasks', {
  params: { path, header: { 'idempotency-key': key } },
  body: { title: 'Buy milk', description: '2 litres' },
});
assert.equal(created.response.status, 201);
const milk = created.data!;
assert.equal(header(created.response, 'Location'), `/api/${user_id}/tasks/${milk.id}`);
const retried = await client.POST('/api/{user_id}/tasks', {
  params: { path, header: { 'idempotency-key': key } },
  body: { title: 'Buy milk', description: '2 litres' },
});
assert.equal(retried.data!.id, milk.id);
for (const title of ['Walk the dog', 'Buy bread', 'Call the plumber']) {
  assert.equal((await client.POST('/api/{user_id}/tasks', { params: { path }, body: { title } })).response.status, 201);
}

// The whole list, two at a time, following the Link header.
const listed: string[] = [];
let cursor: string | undefined;
do {
  const page = await client.GET('/api/{user_id}/tasks', { params: { path, query: { limit: 2, ...(cursor ? { cursor } : {}) } } });
  listed.push(...page.data!.map((task) => task.title));
  const next = page.response.headers.get('link')?.match(/<([^>]+)>;\s*rel="next"/)?.[1];
  cursor = next ? (new URL(next).searchParams.get('cursor') ?? undefined) : undefined;
} while (cursor);
assert.deepEqual(listed, ['Buy milk', 'Walk the dog', 'Buy bread', 'Call the plumber']);

// Search by words, ignoring case.
const found = await client.GET('/api/{user_id}/tasks', { params: { path, query: { q: 'BUY' } } });
assert.deepEqual(
  found.data!.map((task) => task.title),
  ['Buy milk', 'Buy bread'],
);

// Change a task only if nobody else did since it was read: If-Match with its ETag.
const read = await client.GET('/api/{user_id}/tasks/{id}', { params: { path: { ...path, id: milk.id } } });
const etag = header(read.response, 'ETag');
const renamed = await client.PUT('/api/{user_id}/tasks/{id}', {
  params: { path: { ...path, id: milk.id }, header: { 'if-match': etag } },
  body: { title: 'Buy oat milk' },
});
assert.equal(renamed.data!.title, 'Buy oat milk');
const stale = await client.PUT('/api/{user_id}/tasks/{id}', {
  params: { path: { ...path, id: milk.id }, header: { 'if-match': etag } },
  body: { title: 'Buy cow milk' },
});
assert.equal(stale.response.status, 412);
assert.equal(typeof stale.error?.detail, 'string');

// Toggle, then delete.
const toggled = await client.PATCH('/api/{user_id}/tasks/{id}/complete', { params: { path: { ...path, id: milk.id } } });
assert.equal(toggled.data!.completed, true);
assert.equal((await client.DELETE('/api/{user_id}/tasks/{id}', { params: { path: { ...path, id: milk.id } } })).response.status, 204);

// What changed, from the beginning: three tasks, and the deletion of the first.
const changes = await client.GET('/api/{user_id}/tasks/changes', { params: { path } });
const entries = changes.data!.changes;
assert.equal(entries.filter((entry) => entry.type === 'upsert').length, 3);
assert.deepEqual(
  entries.filter((entry) => entry.type === 'delete').map((entry) => entry.id),
  [milk.id],
);

console.log(`typed client: every flow answered as documented (user ${user_id})`);
