import type { ServerResponse } from 'node:http';
import { Lane } from './lane.js';

/** Resolves once the response can take more, or once the client has gone; leaves no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.removeListener('drain', done);
      res.removeListener('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Answers 200 with one JSON array made of the items of every batch, byte for byte what
 * `JSON.stringify` would make of them all, without holding them all: a list that fits in one batch goes
 * out in one write with its length, a longer one chunk by chunk, each batch read only once the client
 * has taken the previous one, and through `lane` when given (shared by every stream, so that at most
 * one batch of them all is being read at a time). When the client goes away, no further batch is read.
 * An error before the first byte is thrown as usual; after it, it is thrown with the response started
 * (and cut off).
 */
export async function sendJsonArray<T>(res: ServerResponse, batches: AsyncGenerator<T[]>, toJson: (item: T) => unknown, lane = new Lane()): Promise<void> {
  const next = () => lane.run(() => batches.next());
  const first = await next();
  const second = first.done ? first : await next();
  // One JSON.stringify per batch, its brackets cut off: the items joined by commas, as in the whole array.
  const json = (items: T[]) => JSON.stringify(items.map(toJson)).slice(1, -1);
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (second.done) {
    const payload = first.done ? '[]' : `[${json(first.value)}]`;
    res.setHeader('Content-Length', Buffer.byteLength(payload));
    res.end(payload);
    return;
  }
  let pending: IteratorResult<T[]> = second;
  let chunk = `[${json(first.value!)}`;
  while (!pending.done) {
    if (!res.write(chunk)) await drained(res);
    if (res.destroyed) {
      await batches.return(undefined);
      return;
    }
    chunk = `,${json(pending.value)}`;
    pending = await next();
  }
  res.end(`${chunk}]`);
}
