import { describe, expect, it } from 'vitest';
import { Readiness } from './readiness.js';

const answering = (answers: boolean) => async () => answers;

describe('Readiness', () => {
  it('is ready while the database answers', async () => {
    expect(await new Readiness(answering(true)).ready()).toBe(true);
  });

  it('is not ready while the database does not answer', async () => {
    expect(await new Readiness(answering(false)).ready()).toBe(false);
  });

  it('is not ready once shutdown has begun, even with the database up', async () => {
    const readiness = new Readiness(answering(true));
    readiness.markStopping();
    expect(await readiness.ready()).toBe(false);
  });
});
