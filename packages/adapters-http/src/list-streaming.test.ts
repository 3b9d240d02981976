import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIST_BATCH_SIZE, type TaskRepository, taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from './create-http-app.js';
import { toTaskResponse } from './task-response.js';

/** An in-memory repository that counts how often a list is read. */
class CountingRepository extends InMemoryTaskRepository {
  listCalls = 0;
  override async list(...args: Parameters<TaskRepository['list']>) {
    this.listCalls++;
    return super.list(...args);
  }
}

async function repositoryWith(count: number, userId = 'big'): Promise<CountingRepository> {
  const repository = new CountingRepository();
  for (let i = 0; i < count; i++) await repository.create({ userId, title: `task ${i}`, description: 'd'.repeat(200) });
  repository.listCalls = 0;
  return repository;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('GET /api/{user_id}/tasks without limit, for a list longer than one batch', () => {
  it('answers one JSON array, byte for byte what the whole list serialises to, read in batches', async () => {
    const repository = await repositoryWith(2_500);
    const app = createHttpApp({ useCases: taskUseCasesOn(repository), corsOrigins: [] });
    const expected = JSON.stringify((await repository.list('big', { order: { field: 'createdAt', direction: 'asc' } })).tasks.map(toTaskResponse));
    repository.listCalls = 0;

    const response = await request(app)
      .get('/api/big/tasks')
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.body).toBe(expected);
    expect(repository.listCalls).toBe(Math.ceil(2_500 / LIST_BATCH_SIZE));
  });

  it('answers a list of one batch or less in one piece, with its length', async () => {
    const app = createHttpApp({ useCases: taskUseCasesOn(await repositoryWith(3)), corsOrigins: [] });
    const response = await request(app).get('/api/big/tasks').expect(200);
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.text));
    expect(response.body).toHaveLength(3);
  });

  it('stops reading the list when the client goes away', async () => {
    const repository = await repositoryWith(60_000);
    server = createServer(createHttpApp({ useCases: taskUseCasesOn(repository), corsOrigins: [] }));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      const req = get({ port, host: '127.0.0.1', path: '/api/big/tasks' }, (res) => {
        // Read one chunk, then hang up, as a browser tab that is closed does.
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A client gone after its first chunk costs only the batches the sockets' buffers held, not the list.
    expect(repository.listCalls).toBeLessThan(60_000 / LIST_BATCH_SIZE / 2);
  });
});
