import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readRequestBody } from './request-body.js';
import { HttpError } from './validation-error.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A server answering what `readRequestBody` made of each request: its length, or the error's status. */
async function bodyServer(limit: number): Promise<number> {
  server = createServer((req, res) => {
    readRequestBody(req, limit).then(
      (body) => res.end(JSON.stringify({ length: body?.length ?? null })),
      (error: unknown) => {
        res.statusCode = error instanceof HttpError ? error.status : 500;
        res.end(JSON.stringify({ detail: (error as Error).message }));
      },
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends `chunks` with chunked transfer encoding (no Content-Length), as a streaming client does. */
function sendChunked(port: number, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readRequestBody', () => {
  it('reads a chunked body whole', async () => {
    const port = await bodyServer(100);
    expect(await sendChunked(port, ['{"title":', '"a"}'])).toEqual({ status: 200, body: '{"length":13}' });
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const port = await bodyServer(100);
    const answer = await sendChunked(port, ['x'.repeat(60), 'x'.repeat(60)]);
    expect(answer.status).toBe(413);
  });

  it('refuses a declared Content-Length over the limit before reading it', async () => {
    const port = await bodyServer(10);
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', headers: { 'Content-Length': '11' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end('x'.repeat(11));
    });
    expect(answer).toBe(413);
  });

  it('reads no body at all as undefined', async () => {
    const port = await bodyServer(10);
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'DELETE' }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer).toBe('{"length":null}');
  });

  it('rejects, without hanging, when the client goes away halfway', async () => {
    let outcome: Promise<unknown> | undefined;
    server = createServer((req) => {
      outcome = readRequestBody(req, 1000).catch((error: unknown) => error);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const req = request({ port, host: '127.0.0.1', method: 'POST', headers: { 'Content-Length': '100' } });
    req.on('error', () => {});
    req.write('x'.repeat(10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    await expect.poll(() => outcome).toBeDefined();
    const error = await outcome;
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
  });
});
