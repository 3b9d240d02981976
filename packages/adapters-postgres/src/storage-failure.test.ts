import { StorageUnavailableError } from '@tasks/domain';
import { describe, expect, it } from 'vitest';
import { guardStorage, isStorageFailure } from './storage-failure.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isStorageFailure', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a server shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['a server starting up', withCode('the database system is starting up', '57P03')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['a statement timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['an exhausted pool', new Error('Knex: Timeout acquiring a connection. The pool is probably full.')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a wrapped refusal', new Error('driver failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') })],
  ])('is true for %s', (_, error) => {
    expect(isStorageFailure(error)).toBe(true);
  });

  it.each([
    ['a syntax error', withCode('syntax error at or near "selec"', '42601')],
    ['a check violation', withCode('new row violates check constraint', '23514')],
    ['a plain bug', new TypeError('x is not a function')],
    ['a non-error', 'ECONNREFUSED'],
  ])('is false for %s', (_, error) => {
    expect(isStorageFailure(error)).toBe(false);
  });
});

describe('guardStorage', () => {
  it('turns an unreachable database into StorageUnavailableError, keeping the cause', async () => {
    const cause = withCode('connect ECONNREFUSED', 'ECONNREFUSED');
    const error = await guardStorage(() => Promise.reject(cause)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).cause).toBe(cause);
  });

  it('lets other errors through unchanged', async () => {
    const bug = new TypeError('bug');
    await expect(guardStorage(() => Promise.reject(bug))).rejects.toBe(bug);
  });
});
