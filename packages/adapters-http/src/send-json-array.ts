import type { ServerResponse } from 'node:http';
import { drained } from './drained.js';
import { Lane } from './lane.js';

const COMMA = 0x2c;

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
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (second.done) {
    const payload = Buffer.from(first.done ? '[]' : JSON.stringify(first.value.map(toJson)));
    res.setHeader('Content-Length', payload.length);
    res.end(payload);
    return;
  }
  // One JSON.stringify per batch, encoded once and written as bytes: its closing bracket is cut off, and
  // after the first batch its opening bracket becomes the comma that joins it to the one before.
  const chunk = (items: T[], joined: boolean) => {
    const bytes = Buffer.from(JSON.stringify(items.map(toJson)));
    if (joined) bytes[0] = COMMA;
    return bytes.subarray(0, -1);
  };
  let pending: IteratorResult<T[]> = second;
  let bytes = chunk(first.value!, false);
  while (!pending.done) {
    if (!res.write(bytes)) await drained(res);
    if (res.destroyed) {
      await batches.return(undefined);
      return;
    }
    bytes = chunk(pending.value, true);
    pending = await next();
  }
  res.write(bytes);
  res.end(']');
}
