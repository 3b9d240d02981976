import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      databaseUrl: undefined,
      host: '0.0.0.0',
      port: 8000,
      corsOrigins: ['http://localhost:3000'],
      logLevel: 'info',
      dataDir: '.data',
      migrateOnStart: true,
      production: false,
    });
  });

  it('reads every variable it knows', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://u:p@db.example.com/tasks?sslmode=require',
      HOST: '127.0.0.1',
      PORT: '9000',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      LOG_LEVEL: 'debug',
      MIGRATE_ON_START: 'false',
      DB_POOL_MAX: '20',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u:p@db.example.com/tasks?sslmode=require',
      host: '127.0.0.1',
      port: 9000,
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      logLevel: 'debug',
      migrateOnStart: false,
      dbPoolMax: 20,
      production: true,
    });
  });

  it.each([
    ['PORT', 'eighty', /PORT must be an integer from 0 to 65535/],
    ['PORT', '70000', /PORT must be an integer/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['CORS_ORIGINS', 'app.example.com', /CORS_ORIGINS has "app.example.com"/],
    ['CORS_ORIGINS', 'https://app.example.com/', /CORS_ORIGINS has/],
    ['DATABASE_URL', 'mysql://localhost/db', /DATABASE_URL has scheme "mysql:"/],
    ['DATABASE_URL', 'postgres://h/db?sslmode=sometimes', /DATABASE_URL has sslmode "sometimes"/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL is not a URL/],
    ['MIGRATE_ON_START', 'maybe', /MIGRATE_ON_START must be true or false/],
    ['DATABASE_URL_UNPOOLED', 'mysql://localhost/db', /DATABASE_URL_UNPOOLED has scheme "mysql:"/],
    ['DB_STATEMENT_TIMEOUT_MS', '50', /DB_STATEMENT_TIMEOUT_MS must be 0 \(no limit\) or an integer from 100 to 3600000, got "50"/],
    ['DB_STATEMENT_TIMEOUT_MS', '-1', /DB_STATEMENT_TIMEOUT_MS must be/],
    ['SHUTDOWN_DELAY_MS', 'soon', /SHUTDOWN_DELAY_MS must be an integer from 0 to 600000/],
    ['RATE_LIMIT_PER_MINUTE', '0', /RATE_LIMIT_PER_MINUTE must be an integer from 1 to 1000000/],
    ['REDIS_URL', 'http://cache:6379', /REDIS_URL is not a redis:\/\/ or rediss:\/\/ URL/],
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('limits a user to 100,000 tasks by default, and to none with MAX_TASKS_PER_USER=0', () => {
    expect(loadConfig({}).maxTasksPerUser).toBe(100_000);
    expect(loadConfig({ MAX_TASKS_PER_USER: '0' }).maxTasksPerUser).toBe(0);
    expect(() => loadConfig({ MAX_TASKS_PER_USER: 'many' })).toThrow(/MAX_TASKS_PER_USER must be an integer/);
  });

  it('limits nobody without RATE_LIMIT_PER_MINUTE, and reads the limit and REDIS_URL when set', () => {
    expect(loadConfig({})).toMatchObject({ rateLimitPerMinute: undefined, redisUrl: undefined });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '600', REDIS_URL: 'rediss://:secret@cache.example:6380' })).toMatchObject({
      rateLimitPerMinute: 600,
      redisUrl: 'rediss://:secret@cache.example:6380',
    });
  });

  it('takes DB_STATEMENT_TIMEOUT_MS=0 as no statement timeout', () => {
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '0' }).dbStatementTimeoutMs).toBe(0);
    expect(loadConfig({}).dbStatementTimeoutMs).toBe(15_000);
  });

  it('drains for 5 s after SIGTERM by default, and reads the direct URL for migrations', () => {
    expect(loadConfig({}).shutdownDelayMs).toBe(5_000);
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '0' }).shutdownDelayMs).toBe(0);
    const config = loadConfig({
      DATABASE_URL: 'postgresql://u:p@ep-x-pooler.neon.tech/db?sslmode=require',
      DATABASE_URL_UNPOOLED: 'postgresql://u:p@ep-x.neon.tech/db?sslmode=require',
    });
    expect(config.databaseUrlUnpooled).toBe('postgresql://u:p@ep-x.neon.tech/db?sslmode=require');
    expect(loadConfig({}).databaseUrlUnpooled).toBeUndefined();
  });

  it('leaves authentication off by default, as the first plan had it', () => {
    expect(loadConfig({}).auth).toBeUndefined();
  });

  it('reads a shared-secret or a JWKS setup for AUTH_MODE=jwt', () => {
    expect(loadConfig({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 's'.repeat(32), AUTH_JWT_ISSUER: 'https://a.example' }).auth).toEqual({
      secret: 's'.repeat(32),
      issuer: 'https://a.example',
      userClaim: 'sub',
    });
    expect(loadConfig({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: 'https://a.example/jwks', AUTH_JWT_AUDIENCE: 'api', AUTH_JWT_USER_CLAIM: 'uid' }).auth).toEqual({
      jwksUrl: 'https://a.example/jwks',
      audience: 'api',
      userClaim: 'uid',
    });
  });

  it.each([
    [{ AUTH_MODE: 'oauth' }, /AUTH_MODE must be none or jwt/],
    [{ AUTH_MODE: 'jwt' }, /AUTH_JWT_SECRET or AUTH_JWKS_URL must be set/],
    [{ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 's'.repeat(32), AUTH_JWKS_URL: 'https://a.example/jwks' }, /exactly one/],
    [{ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'short' }, /AUTH_JWT_SECRET must have at least 32 characters/],
    [{ AUTH_MODE: 'jwt', AUTH_JWKS_URL: 'ftp://a.example/jwks' }, /AUTH_JWKS_URL is not an http\(s\) URL/],
  ])('rejects the authentication settings %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never repeats the database password in an error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:s3cret@h/db?sslmode=bogus' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cret') }),
    );
  });
});
