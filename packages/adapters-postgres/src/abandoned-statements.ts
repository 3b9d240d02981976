/** What the pool hands back after a statement: the driver's connection (pg's Client). */
interface DriverConnection {
  readonly readyForQuery?: boolean;
  readonly activeQuery?: unknown;
  readonly connectionParameters?: unknown;
}

/** pg's Client as far as cancelling goes: a new one, on the same parameters, sends the cancel request. */
interface Canceller {
  readonly connection: { on(event: 'error', listener: (error: Error) => void): unknown };
  cancel(client: DriverConnection, query: unknown): void;
}

/** The pool behind MikroORM (knex's tarn pool), as far as its releases go. */
interface ReleasingPool {
  on(event: 'release', listener: (connection: DriverConnection) => void): unknown;
}

/**
 * When a connection comes back to the pool with its statement still running (the statement timeout
 * abandoned it), asks PostgreSQL to cancel that statement with the protocol's cancel request, the one
 * poolers such as PgBouncer pass on. Best effort: the connection itself is never reused either way
 * (the pool validates it), and a cancel that fails is only logged.
 */
export function cancelAbandonedStatements(pool: ReleasingPool, log: (message: string) => void): void {
  pool.on('release', (connection) => {
    if (connection.readyForQuery !== false || !connection.activeQuery) return;
    try {
      const Client = connection.constructor as new (parameters: unknown) => Canceller;
      const canceller = new Client(connection.connectionParameters);
      canceller.connection.on('error', (error) => log(`cancelling an abandoned statement failed: ${error.message}`));
      canceller.cancel(connection, connection.activeQuery);
    } catch (error) {
      log(`cancelling an abandoned statement failed: ${(error as Error).message}`);
    }
  });
}
