import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp } from './create-http-app.js';

let server: Server;
let port: number;
beforeEach(async () => {
  const app = createHttpApp({ useCases: taskUseCasesOn(new InMemoryTaskRepository()), corsOrigins: [], bodyLimitBytes: 1024 });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends `chunks` with chunked transfer encoding (no Content-Length), as a streaming client does. */
function sendChunked(chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/api/streamer/tasks', headers: { 'Content-Type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('request bodies on the wire', () => {
  it('reads a chunked body whole', async () => {
    const answer = await sendChunked(['{"title":', '"stre', 'amed"}']);
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ title: 'streamed' });
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const answer = await sendChunked([`{"title":"t","description":"${'x'.repeat(600)}`, `${'x'.repeat(600)}"}`]);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ detail: 'Request body too large' });
  });

  it('answers 422 missing body for a chunked body that turns out empty', async () => {
    const answer = await sendChunked([]);
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body)).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
  });

  it('answers every upload far over the limit with 413, none of them cut off', async () => {
    const upload = Buffer.alloc(2 * 1024 * 1024, 'x');
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/api/big/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: upload });
      statuses.push(response.status);
      expect(await response.json()).toEqual({ detail: 'Request body too large' });
    }
    expect(statuses).toEqual(Array(20).fill(413));
    const parallel = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`http://127.0.0.1:${port}/api/big/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: upload }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(parallel).toEqual(Array(10).fill(413));
  });

  it('keeps serving after a client goes away halfway through its body', async () => {
    const req = request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/api/quitter/tasks',
      headers: { 'Content-Length': '500', 'Content-Type': 'application/json' },
    });
    req.on('error', () => {});
    req.write('{"title":"never fin');
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    const after = await fetch(`http://127.0.0.1:${port}/api/quitter/tasks`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual([]);
  });
});
