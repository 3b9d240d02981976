import type { Request } from 'express';

// A host name or IP literal with an optional port, nothing that could close the <...> of a Link.
const SANE_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `scheme://host` as the client reached the application, for absolute links. Express reads it from the
 * connection and the Host header, or from `X-Forwarded-Proto`/`-Host` when its `trust proxy` setting
 * trusts the peer. '' (making a link relative) when the host is missing or not a host at all.
 */
export function linkOrigin(req: Request): string {
  const protocol = req.protocol;
  const host = req.host;
  return host && SANE_HOST.test(host) && (protocol === 'http' || protocol === 'https') ? `${protocol}://${host}` : '';
}
