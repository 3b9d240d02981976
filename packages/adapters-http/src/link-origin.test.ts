import { taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createHttpApp, type TrustProxy } from './create-http-app.js';

/** The Link header of the first page of a two-task list, as the app builds it behind `trustProxy`. */
async function nextLink(trustProxy: TrustProxy | undefined, headers: Record<string, string>): Promise<string> {
  const app = createHttpApp({
    useCases: taskUseCasesOn(new InMemoryTaskRepository()),
    corsOrigins: [],
    ...(trustProxy === undefined ? {} : { trustProxy }),
  });
  for (const title of ['a', 'b']) await request(app).post('/api/linker/tasks').send({ title }).expect(201);
  let call = request(app).get('/api/linker/tasks?limit=1');
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  const link = (await call.expect(200)).headers.link as string;
  return /^<([^>]*)\/api\/linker\/tasks\?/.exec(link)![1]!;
}

// supertest connects from 127.0.0.1, so that is the peer whose forwarded headers are believed or not.
const forwarded = { Host: 'internal:8000', 'X-Forwarded-Host': 'api.example.com', 'X-Forwarded-Proto': 'https' };

describe('the origin of Link URLs', () => {
  it('comes from the Host header and the connection when no proxy is trusted', async () => {
    expect(await nextLink(undefined, forwarded)).toBe('http://internal:8000');
  });

  it('comes from X-Forwarded-Proto and -Host when every proxy is trusted', async () => {
    expect(await nextLink(true, forwarded)).toBe('https://api.example.com');
  });

  it('comes from them with a hop count of at least one', async () => {
    expect(await nextLink(1, forwarded)).toBe('https://api.example.com');
    expect(await nextLink(0, forwarded)).toBe('http://internal:8000');
  });

  it('comes from them only when the peer is among the listed addresses and ranges', async () => {
    expect(await nextLink('loopback, 10.0.0.0/8', forwarded)).toBe('https://api.example.com');
    expect(await nextLink('10.0.0.0/8', forwarded)).toBe('http://internal:8000');
  });

  it('takes the first of several forwarded values', async () => {
    const headers = { Host: 'internal', 'X-Forwarded-Host': 'a.example, b.example', 'X-Forwarded-Proto': 'https, http' };
    expect(await nextLink(true, headers)).toBe('https://a.example');
  });

  it('is left out, making the link relative, rather than one that is not a host or an http scheme', async () => {
    expect(await nextLink(undefined, { Host: 'evil.example>; rel="x"' })).toBe('');
    expect(await nextLink(true, { Host: 'a.example', 'X-Forwarded-Proto': 'javascript' })).toBe('');
  });
});
