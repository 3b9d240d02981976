import { DEFAULT_MAX_STREAMS_PER_USER, type JwtSettings } from '@tasks/adapters-http';
import { InvalidDatabaseUrlError, parsePostgresUrl } from '@tasks/adapters-postgres';
import { DEFAULT_CHANGES_POLL_MS, DEFAULT_CHANGES_RETENTION_DAYS, DEFAULT_MAX_TASKS_PER_USER } from '@tasks/domain';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the service reads from its environment, validated. */
export interface Config {
  /** External PostgreSQL; undefined means "start the embedded one under `dataDir`". */
  readonly databaseUrl: string | undefined;
  /**
   * A direct (unpooled) URL of the same database, for migrations: Neon's integrations name it
   * `DATABASE_URL_UNPOOLED`. Undefined means migrations use `databaseUrl`.
   */
  readonly databaseUrlUnpooled: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly dataDir: string;
  /** NODE_ENV=production (as the container image sets it): an embedded database there is a warning. */
  readonly production: boolean;
  readonly migrateOnStart: boolean;
  readonly bodyLimitBytes: number;
  /** Most tasks a user may have; 0 for no limit. */
  readonly maxTasksPerUser: number;
  readonly dbPoolMax: number;
  readonly dbConnectTimeoutMs: number;
  readonly dbIdleTimeoutMs: number;
  /** Longest a statement may run before its request gets 503; 0 for no limit. */
  readonly dbStatementTimeoutMs: number;
  /** After SIGTERM, how long `/readyz` answers 503 while requests are still served, before the listener closes. */
  readonly shutdownDelayMs: number;
  readonly shutdownTimeoutMs: number;
  /** Which proxies to believe for the client's scheme and host (Express's `trust proxy`). */
  readonly trustProxy: boolean | number | string;
  /** Requests a user may make a minute, or undefined for no limit. */
  readonly rateLimitPerMinute: number | undefined;
  /** Redis for counting them across instances; undefined counts per instance. */
  readonly redisUrl: string | undefined;
  /** Bearer-token checking, or undefined for AUTH_MODE=none (the first plan's open contract). */
  readonly auth: JwtSettings | undefined;
  /** Days a deleted task stays in the change feed; a token older than that gets 410. */
  readonly changesRetentionDays: number;
  /** How often live streams check the feed for changes made through any instance. */
  readonly changesPollMs: number;
  /** Most live change streams one user may hold on one instance (429 beyond). */
  readonly maxStreamsPerUser: number;
  /** Longest silence on a live stream: a comment is sent at least this often. */
  readonly streamHeartbeatSeconds: number;
}

/** A variable with a value the service cannot run with; the message names it and says what is wrong. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function redisUrl(env: Env): string | undefined {
  const raw = read(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !['redis:', 'rediss:'].includes(url.protocol)) throw new ConfigError('REDIS_URL', 'is not a redis:// or rediss:// URL');
  return raw;
}

/** 0 turns the statement timeout off; anything else must be long enough for a real statement. */
function statementTimeout(env: Env): number {
  const name = 'DB_STATEMENT_TIMEOUT_MS';
  const value = integer(env, name, 15_000, 0, 3_600_000);
  if (value !== 0 && value < 100) throw new ConfigError(name, `must be 0 (no limit) or an integer from 100 to 3600000, got "${read(env, name)}"`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function databaseUrl(env: Env, name: 'DATABASE_URL' | 'DATABASE_URL_UNPOOLED'): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  try {
    parsePostgresUrl(raw);
  } catch (error) {
    if (error instanceof InvalidDatabaseUrlError) throw new ConfigError(name, error.message);
    throw error;
  }
  return raw;
}

function corsOrigins(env: Env): string[] {
  const raw = read(env, 'CORS_ORIGINS') ?? 'http://localhost:3000';
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    // An origin is scheme://host[:port] and nothing more; "https://app.example/" would never match a browser's.
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError('CORS_ORIGINS', `has "${origin}", which is not an origin like https://app.example.com`);
    }
  }
  return origins;
}

function logLevel(env: Env): LogLevel {
  const raw = (read(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as LogLevel;
}

function trustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return true;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

// Shorter HMAC secrets can be brute-forced offline from any token; RFC 7518 asks for at least the hash size.
const MIN_SECRET_LENGTH = 32;

function auth(env: Env): JwtSettings | undefined {
  const mode = (read(env, 'AUTH_MODE') ?? 'none').toLowerCase();
  if (mode === 'none') return undefined;
  if (mode !== 'jwt') throw new ConfigError('AUTH_MODE', `must be none or jwt, got "${mode}"`);
  const secret = read(env, 'AUTH_JWT_SECRET');
  const jwksUrl = read(env, 'AUTH_JWKS_URL');
  if ((secret === undefined) === (jwksUrl === undefined)) {
    throw new ConfigError('AUTH_JWT_SECRET', 'or AUTH_JWKS_URL must be set, exactly one of them, when AUTH_MODE=jwt');
  }
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('AUTH_JWT_SECRET', `must have at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (jwksUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(jwksUrl);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol)) throw new ConfigError('AUTH_JWKS_URL', `is not an http(s) URL: "${jwksUrl}"`);
  }
  const common = {
    ...(read(env, 'AUTH_JWT_ISSUER') ? { issuer: read(env, 'AUTH_JWT_ISSUER')! } : {}),
    ...(read(env, 'AUTH_JWT_AUDIENCE') ? { audience: read(env, 'AUTH_JWT_AUDIENCE')! } : {}),
    userClaim: read(env, 'AUTH_JWT_USER_CLAIM') ?? 'sub',
  };
  return secret !== undefined ? { secret, ...common } : { jwksUrl: jwksUrl!, ...common };
}

/** Reads and checks the configuration; throws `ConfigError` on the first bad variable. */
export function loadConfig(env: Env): Config {
  return {
    databaseUrl: databaseUrl(env, 'DATABASE_URL'),
    databaseUrlUnpooled: databaseUrl(env, 'DATABASE_URL_UNPOOLED'),
    host: read(env, 'HOST') ?? '0.0.0.0',
    port: integer(env, 'PORT', 8000, 0, 65535),
    corsOrigins: corsOrigins(env),
    logLevel: logLevel(env),
    dataDir: read(env, 'DATA_DIR') ?? '.data',
    production: read(env, 'NODE_ENV') === 'production',
    migrateOnStart: boolean(env, 'MIGRATE_ON_START', true),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    maxTasksPerUser: integer(env, 'MAX_TASKS_PER_USER', DEFAULT_MAX_TASKS_PER_USER, 0, 1_000_000_000),
    dbPoolMax: integer(env, 'DB_POOL_MAX', 10, 1, 1000),
    dbConnectTimeoutMs: integer(env, 'DB_CONNECT_TIMEOUT_MS', 5_000, 100, 120_000),
    dbIdleTimeoutMs: integer(env, 'DB_IDLE_TIMEOUT_MS', 10_000, 100, 3_600_000),
    dbStatementTimeoutMs: statementTimeout(env),
    shutdownDelayMs: integer(env, 'SHUTDOWN_DELAY_MS', 5_000, 0, 600_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    trustProxy: trustProxy(read(env, 'TRUST_PROXY')),
    rateLimitPerMinute: read(env, 'RATE_LIMIT_PER_MINUTE') === undefined ? undefined : integer(env, 'RATE_LIMIT_PER_MINUTE', 0, 1, 1_000_000),
    redisUrl: redisUrl(env),
    auth: auth(env),
    changesRetentionDays: integer(env, 'CHANGES_RETENTION_DAYS', DEFAULT_CHANGES_RETENTION_DAYS, 1, 3650),
    changesPollMs: integer(env, 'CHANGES_POLL_MS', DEFAULT_CHANGES_POLL_MS, 20, 10_000),
    maxStreamsPerUser: integer(env, 'MAX_STREAMS_PER_USER', DEFAULT_MAX_STREAMS_PER_USER, 1, 10_000),
    streamHeartbeatSeconds: integer(env, 'STREAM_HEARTBEAT_SECONDS', 15, 1, 15),
  };
}
