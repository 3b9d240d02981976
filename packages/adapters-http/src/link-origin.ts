import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from 'proxy-addr';

/** Which proxies' `X-Forwarded-Proto`/`-Host` to believe, as Express's `trust proxy` setting reads it. */
export type TrustProxy = boolean | number | string;

// A host name or IP literal with an optional port, nothing that could close the <...> of a Link.
const SANE_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Whether the immediate peer is a proxy to believe: all, the first `n` hops, or the listed addresses. */
function trustedPeer(trust: TrustProxy): (address: string) => boolean {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  if (typeof trust === 'number') return () => trust > 0;
  const check = proxyAddr.compile(trust.split(',').map((entry) => entry.trim()));
  return (address) => check(address, 0);
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const comma = value?.indexOf(',') ?? -1;
  return (comma === -1 ? value : value!.slice(0, comma))?.trim() || undefined;
}

/**
 * `scheme://host` as the client reached the service, through `X-Forwarded-Proto`/`-Host` only when the
 * peer is a trusted proxy; '' (making a link relative) when the host is missing or not a host.
 */
export function publicOrigin(trust: TrustProxy): (req: IncomingMessage) => string {
  const trusted = trustedPeer(trust);
  return (req) => {
    const viaProxy = trusted(req.socket.remoteAddress ?? '');
    const own = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
    const protocol = (viaProxy && firstValue(req.headers['x-forwarded-proto'])) || own;
    const host = (viaProxy && firstValue(req.headers['x-forwarded-host'])) || req.headers.host;
    return host && SANE_HOST.test(host) && /^https?$/.test(protocol) ? `${protocol}://${host}` : '';
  };
}
