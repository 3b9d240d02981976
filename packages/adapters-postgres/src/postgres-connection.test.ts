import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidDatabaseUrlError, parsePostgresUrl } from './postgres-connection.js';

describe('parsePostgresUrl', () => {
  it('reads a Neon pooled URL, with TLS that encrypts without checking the certificate (libpq "require")', () => {
    const connection = parsePostgresUrl(
      'postgresql://neondb_owner:p%40ss@ep-cool-bird-123-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require',
    );
    expect(connection).toMatchObject({
      host: 'ep-cool-bird-123-pooler.eu-central-1.aws.neon.tech',
      port: 5432,
      user: 'neondb_owner',
      password: 'p@ss',
      database: 'neondb',
      ssl: { rejectUnauthorized: false },
    });
  });

  it.each(['disable', 'allow', 'prefer'])('connects in plain text with sslmode=%s', (mode) => {
    expect(parsePostgresUrl(`postgres://u@h/db?sslmode=${mode}`).ssl).toBe(false);
  });

  it('connects in plain text when no sslmode is given', () => {
    expect(parsePostgresUrl('postgres://u@localhost:5433/db')).toMatchObject({ ssl: false, port: 5433 });
  });

  it('verifies the full certificate with sslmode=verify-full', () => {
    expect(parsePostgresUrl('postgres://u@h/db?sslmode=verify-full').ssl).toEqual({ rejectUnauthorized: true, ca: undefined });
  });

  it('verifies the chain but not the host name with sslmode=verify-ca', () => {
    const ssl = parsePostgresUrl('postgres://u@h/db?sslmode=verify-ca').ssl as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(ssl.checkServerIdentity()).toBeUndefined();
  });

  it('verifies the CA for sslmode=require when a root certificate is given, as libpq does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tasks-ca-'));
    await writeFile(join(dir, 'root.crt'), 'PEM');
    const ssl = parsePostgresUrl(`postgres://u@h/db?sslmode=require&sslrootcert=${join(dir, 'root.crt')}`).ssl;
    expect(ssl).toMatchObject({ rejectUnauthorized: true, ca: 'PEM' });
  });

  it('defaults the user to postgres and the database to the user', () => {
    expect(parsePostgresUrl('postgres://db.internal')).toMatchObject({ user: 'postgres', database: 'postgres', password: undefined });
  });

  it.each(['mysql://h/db', 'nonsense', 'postgres://h/db?sslmode=always'])('rejects %s', (url) => {
    expect(() => parsePostgresUrl(url)).toThrow(InvalidDatabaseUrlError);
  });

  it('rejects an unreadable sslrootcert without echoing the URL', () => {
    expect(() => parsePostgresUrl('postgres://u:secret@h/db?sslmode=verify-full&sslrootcert=/nope.crt')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') }),
    );
  });
});
