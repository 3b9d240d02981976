import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PoolPressure } from './pool-pressure.js';

/** A pool whose queue and events the test drives. */
class FakePool extends EventEmitter {
  pending = 0;
  constructor(readonly max: number) {
    super();
  }
  numPendingAcquires() {
    return this.pending;
  }
}

const hold = async (pool: FakePool, ms: number) => {
  const connection = {};
  pool.emit('acquireSuccess', 1, connection);
  await new Promise((resolve) => setTimeout(resolve, ms));
  pool.emit('release', connection);
};

describe('PoolPressure', () => {
  it('expects no wait while nothing is queued', async () => {
    const pool = new FakePool(10);
    const pressure = new PoolPressure(pool);
    await hold(pool, 20);
    expect(pressure.expectedWaitMs()).toBe(0);
  });

  it('expects the queue times the average hold, shared over the connections', async () => {
    const pool = new FakePool(2);
    const pressure = new PoolPressure(pool);
    await hold(pool, 50);
    pool.pending = 10;
    // 10 waiting, each holding about 50 ms, 2 at a time: about 250 ms.
    expect(pressure.expectedWaitMs()).toBeGreaterThan(200);
    expect(pressure.expectedWaitMs()).toBeLessThan(400);
  });
});
