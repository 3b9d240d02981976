import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

/**
 * Answers 200 with one JSON array made of the items of every batch, byte for byte what
 * `JSON.stringify` would make of them all, without holding them all: a list that fits in one batch goes
 * out in one write with its length, a longer one chunk by chunk, each batch read only once the client
 * has taken the previous one. When the client goes away, no further batch is read. An error before the
 * first byte is thrown as usual; after it, it is thrown with the response started (and cut off).
 */
export async function sendJsonArray<T>(res: ServerResponse, batches: AsyncGenerator<T[]>, toJson: (item: T) => unknown): Promise<void> {
  const first = await batches.next();
  const second = first.done ? first : await batches.next();
  const json = (items: T[]) => items.map((item) => JSON.stringify(toJson(item))).join(',');
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (second.done) {
    const payload = first.done ? '[]' : `[${json(first.value)}]`;
    res.setHeader('Content-Length', Buffer.byteLength(payload));
    res.end(payload);
    return;
  }
  let gone = false;
  const onClose = () => {
    gone = true;
  };
  res.once('close', onClose);
  try {
    let pending: IteratorResult<T[]> = second;
    let chunk = `[${json(first.value!)}`;
    while (!pending.done) {
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (gone) {
        await batches.return(undefined);
        return;
      }
      chunk = `,${json(pending.value)}`;
      pending = await batches.next();
    }
    res.end(`${chunk}]`);
  } finally {
    res.removeListener('close', onClose);
  }
}
