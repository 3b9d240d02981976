import type { PoolStats } from '@tasks/adapters-postgres';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The registry behind `/metrics`: process metrics, the database pool and the live change streams, read at scrape time. */
export function createMetricsRegistry(readPool: () => PoolStats, openStreams: () => number = () => 0): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(readPool()));
      },
    });
  gauge('db_pool_connections_in_use', 'Database connections running a query.', (stats) => stats.inUse);
  gauge('db_pool_connections_idle', 'Open database connections waiting to be used.', (stats) => stats.idle);
  gauge('db_pool_requests_pending', 'Requests waiting for a database connection.', (stats) => stats.pending);
  gauge('db_pool_connections_max', 'Most database connections the pool may open.', (stats) => stats.max);
  new Gauge({
    name: 'change_streams_open',
    help: 'Live change streams (GET /api/{user_id}/tasks/events) open on this instance.',
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });
  return registry;
}
