import type { ServerResponse } from 'node:http';

/**
 * Writes a JSON response on Node's own response object: no content negotiation, no freshness checks,
 * one write.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}
