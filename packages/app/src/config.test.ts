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
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u:p@db.example.com/tasks?sslmode=require',
      host: '127.0.0.1',
      port: 9000,
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      logLevel: 'debug',
      migrateOnStart: false,
      dbPoolMax: 20,
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
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never repeats the database password in an error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:s3cret@h/db?sslmode=bogus' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cret') }),
    );
  });
});
