import type { RateLimitOptions } from '@tasks/adapters-http';
import type { Logger } from 'pino';
import { RedisStore } from 'rate-limit-redis';
import { createClient } from 'redis';

/** A Redis-backed count of requests, shared by every instance, and how to let go of it. */
export interface SharedRateLimitStore {
  readonly store: NonNullable<RateLimitOptions['store']>;
  close(): Promise<void>;
}

/**
 * Connects to Redis and keeps the rate limit's counts there, so that a user's share holds across all
 * instances. While Redis is unreachable, a count fails at once instead of queueing (the limiter then
 * lets the request through and logs it); the client reconnects by itself.
 */
export async function connectSharedRateLimitStore(redisUrl: string, logger: Logger): Promise<SharedRateLimitStore> {
  let connected = false;
  const client = createClient({
    url: redisUrl,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5_000,
      // At start-up a Redis that does not answer is a configuration to fix: fail with its error. Once
      // connected, reconnect after each loss, a little later every time (at most every 3 s).
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * (retries + 1), 3_000) : cause),
    },
  });
  let reported = false;
  client.on('error', (error: unknown) => {
    // Reconnection attempts repeat the same error; one line until the connection is back is enough.
    if (reported) return;
    reported = true;
    logger.error({ err: error }, 'redis for rate limits unreachable');
  });
  client.on('ready', () => {
    if (reported) logger.info('redis for rate limits reachable again');
    reported = false;
  });
  await client.connect();
  connected = true;
  const store = new RedisStore({ prefix: 'tasks:rate-limit:', sendCommand: (...args: string[]) => client.sendCommand(args) });
  return { store, close: () => client.close() };
}
