import { describe, expect, it } from 'vitest';
import { Readiness } from './readiness.js';

const ormAnswering = (answers: boolean) =>
  ({ em: { fork: () => ({ execute: () => (answers ? Promise.resolve([]) : Promise.reject(new Error('down'))) }) } }) as never;

describe('Readiness', () => {
  it('is ready while the database answers', async () => {
    expect(await new Readiness(ormAnswering(true)).ready()).toBe(true);
  });

  it('is not ready while the database does not answer', async () => {
    expect(await new Readiness(ormAnswering(false)).ready()).toBe(false);
  });

  it('is not ready once shutdown has begun, even with the database up', async () => {
    const readiness = new Readiness(ormAnswering(true));
    readiness.markStopping();
    expect(await readiness.ready()).toBe(false);
  });
});
