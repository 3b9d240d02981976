import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/** Where and how to connect, read from a `postgres://` URL with libpq's meaning of `sslmode`. */
export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
  /** `false` for plain text, else the TLS options for the driver. */
  readonly ssl: false | ConnectionOptions;
  readonly applicationName: string | undefined;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof SSL_MODES)[number];

/** Thrown for a URL this service cannot connect with; the message never contains the password. */
export class InvalidDatabaseUrlError extends Error {}

/**
 * Parses a PostgreSQL URL. `sslmode` keeps libpq's meaning, as users of psql and Neon expect:
 * `require` encrypts without verifying the certificate (or verifies the CA when `sslrootcert` is given),
 * `verify-ca` checks the chain, `verify-full` the chain and the host name. `allow` and `prefer` connect in
 * plain text, because the driver cannot fall back from one to the other as libpq does.
 */
export function parsePostgresUrl(url: string): PostgresConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidDatabaseUrlError('is not a URL (expected postgres://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new InvalidDatabaseUrlError(`has scheme "${parsed.protocol}" (expected postgres: or postgresql:)`);
  }
  const params = parsed.searchParams;
  const sslMode = (params.get('sslmode') ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(sslMode)) {
    throw new InvalidDatabaseUrlError(`has sslmode "${sslMode}" (expected one of ${SSL_MODES.join(', ')})`);
  }
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  const user = decodeURIComponent(parsed.username) || 'postgres';
  const host = params.get('host') ?? decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, ''));
  return {
    host: host || 'localhost',
    port,
    user,
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user,
    ssl: tlsOptions(sslMode, params.get('sslrootcert')),
    applicationName: params.get('application_name') ?? undefined,
  };
}

function tlsOptions(mode: SslMode, rootCertPath: string | null): false | ConnectionOptions {
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const ca = rootCertPath ? readRootCert(rootCertPath) : undefined;
  // libpq: with a root certificate at hand, "require" behaves as "verify-ca".
  const effective = mode === 'require' && ca ? 'verify-ca' : mode;
  if (effective === 'require') return { rejectUnauthorized: false };
  if (effective === 'verify-ca') return { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
  return { rejectUnauthorized: true, ca };
}

function readRootCert(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new InvalidDatabaseUrlError(`names an sslrootcert that cannot be read: ${path}`);
  }
}
