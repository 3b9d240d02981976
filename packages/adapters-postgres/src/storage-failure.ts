import { StorageUnavailableError } from '@tasks/domain';

// Socket-level failures: the server is down, restarting, unreachable or dropped us.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);
// SQLSTATEs that mean "not now" rather than "wrong query": connection exceptions (class 08), the server
// shutting down or starting up, too many connections, a cancelled (timed out) statement.
const TRANSIENT_SQLSTATE = /^(08...|57P0[1-3]|53300|57014)$/;
// pg, knex and TLS report some of these only in the message.
const TRANSIENT_MESSAGE =
  /Timeout acquiring a connection|Query read timeout|Connection terminated|connection timeout|Connection ended unexpectedly|terminating connection|the database system is (starting up|shutting down|in recovery mode)|server closed the connection|self[- ]signed certificate|unable to verify the first certificate|The server does not support SSL connections/i;

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATE.test(code))) return true;
  return TRANSIENT_MESSAGE.test(error.message);
}

/**
 * True when the error says the database cannot be reached (as opposed to a bug in a query); walks the
 * `cause` chain because drivers wrap one error in another.
 */
export function isStorageFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
    if (isTransient(current)) return true;
  }
  return false;
}

/** Runs a storage call, turning "database unreachable" failures into the domain's `StorageUnavailableError`. */
export async function guardStorage<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw isStorageFailure(error) ? new StorageUnavailableError(error) : error;
  }
}
