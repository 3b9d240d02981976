import type { ServerResponse } from 'node:http';

/**
 * Writes a JSON response in one write. `res.json` would also compute a weak ETag of the body and check
 * freshness against it; the task routes send a strong ETag of the task's version and answer
 * `If-None-Match` themselves, so that work would be done for nothing on every response.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}
