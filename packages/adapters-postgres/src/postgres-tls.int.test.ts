import { execFileSync } from 'node:child_process';
import { appendFile, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../../test/postgres/postgres-sources.js';
import { createMikroOrm } from './create-mikro-orm.js';

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A CA and a server certificate it signed for localhost and 127.0.0.1, plus an unrelated CA. */
async function makeCertificates(dir: string): Promise<void> {
  for (const ca of ['ca', 'other-ca']) {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`], dir);
  }
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext'],
    dir,
  );
}

describe('PostgreSQL that accepts TLS connections only', () => {
  let certs: string;
  let postgres: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  const urlWith = (query: string) => `postgres://postgres:${encodeURIComponent(postgres.password)}@127.0.0.1:${postgres.port}/postgres?${query}`;
  const opened: MikroORM[] = [];

  async function connect(query: string): Promise<MikroORM> {
    const orm = await createMikroOrm({
      databaseUrl: urlWith(query),
      poolMax: 1,
      idleTimeoutMs: 1_000,
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 5_000,
    });
    opened.push(orm);
    return orm;
  }
  const sslOfSession = async (orm: MikroORM) =>
    (await orm.em.fork().getConnection().execute<{ ssl: boolean }[]>('select ssl from pg_stat_ssl where pid = pg_backend_pid()'))[0]?.ssl;

  beforeAll(async () => {
    certs = await mkdtemp(join(tmpdir(), 'tasks-certs-'));
    await makeCertificates(certs);
    postgres = await startEmbeddedPostgres({
      configure: async (dataDir) => {
        for (const file of ['server.crt', 'server.key']) {
          execFileSync('cp', [join(certs, file), join(dataDir, file)]);
          if (process.getuid?.() === 0) {
            const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
            const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
            await chown(join(dataDir, file), uid, gid);
          }
        }
        execFileSync('chmod', ['600', join(dataDir, 'server.key')]);
        await appendFile(join(dataDir, 'postgresql.conf'), "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        await writeFile(join(dataDir, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n');
      },
    });
  });

  afterAll(async () => {
    await Promise.all(opened.map((orm) => orm.close(true)));
    await postgres?.stop();
    await rm(certs, { recursive: true, force: true });
  });

  it('connects encrypted with sslmode=require, as a Neon URL gives it', async () => {
    expect(await sslOfSession(await connect('sslmode=require'))).toBe(true);
  });

  it('connects encrypted with sslmode=verify-full and the right CA', async () => {
    expect(await sslOfSession(await connect(`sslmode=verify-full&sslrootcert=${join(certs, 'ca.crt')}`))).toBe(true);
  });

  it('refuses a server whose certificate another CA signed, with sslmode=verify-full', async () => {
    const orm = await connect(`sslmode=verify-full&sslrootcert=${join(certs, 'other-ca.crt')}`);
    await expect(sslOfSession(orm)).rejects.toThrow(/certificate/i);
  });

  it('refuses a self-signed chain with sslmode=verify-ca and no root certificate to trust', async () => {
    const orm = await connect('sslmode=verify-ca');
    await expect(sslOfSession(orm)).rejects.toThrow(/certificate/i);
  });

  it('is refused in plain text with sslmode=disable', async () => {
    const orm = await connect('sslmode=disable');
    await expect(sslOfSession(orm)).rejects.toThrow(/no encryption|pg_hba/);
  });
});
