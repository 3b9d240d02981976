import type { ServerResponse } from 'node:http';

/**
 * Resolves once the response can take more (at once when it can already), or once the client has gone;
 * leaves no listener behind.
 */
export function drained(res: ServerResponse): Promise<void> {
  if (!res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
