import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres-sources.js';

/** Where Debian's `pgbouncer` package installs the binary (`apt-get install pgbouncer`). */
export const PGBOUNCER_BINARY = process.env.PGBOUNCER_BINARY ?? '/usr/sbin/pgbouncer';

/** True when the PgBouncer binary is on this machine. */
export function pgBouncerInstalled(): boolean {
  return existsSync(PGBOUNCER_BINARY);
}

/** The same database URL, but to the pooler listening on this port of the loopback. */
export function throughPort(directUrl: string, port: number): string {
  const url = new URL(directUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

/** A PgBouncer this process started; `pooled(url)` turns a URL of its PostgreSQL into one through it. */
export interface PgBouncer {
  readonly port: number;
  pooled(directUrl: string): string;
  /** Everything PgBouncer logged so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`PgBouncer did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts PgBouncer in front of the PostgreSQL of `adminUrl`, configured as Neon's pooled endpoint
 * behaves: transaction pooling, the default `ignore_startup_parameters` (so a startup parameter such as
 * `statement_timeout` is refused) and no `max_prepared_statements` (1.18 has none: a named prepared
 * statement does not survive from one transaction to the next). Every database of the server is
 * reachable through it under its own name.
 */
export async function startPgBouncer(adminUrl: string): Promise<PgBouncer> {
  const target = new URL(adminUrl);
  const user = decodeURIComponent(target.username) || 'postgres';
  const password = decodeURIComponent(target.password);
  const dir = await mkdtemp(join(tmpdir(), 'tasks-pgbouncer-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
  await writeFile(join(dir, 'userlist.txt'), `${quote(user)} ${quote(password)}\n`);
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // Clients are trusted (this is a test on loopback); PgBouncer logs in to PostgreSQL with the password.
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 1000',
      'default_pool_size = 20',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root; it switches to the postgres user when started as root.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);
  const child: ChildProcess = spawn(PGBOUNCER_BINARY, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const log = async () => `${output}${await readFile(join(dir, 'pgbouncer.log'), 'utf8').catch(() => '')}`;
  try {
    await waitForPort(port, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}:\n${await log()}`);
  }
  return {
    port,
    pooled: (directUrl) => throughPort(directUrl, port),
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
