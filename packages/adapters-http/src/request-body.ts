import type { IncomingMessage } from 'node:http';
import { HttpError } from './validation-error.js';

/** True when the request carries a body, however empty (RFC 9112: Content-Length or Transfer-Encoding). */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
}

/**
 * The raw bytes of a request body, at most `limitBytes` of them: larger bodies get 413, before a byte
 * is read when Content-Length already says so. Encoded bodies (gzip and the like) get 415: a JSON API
 * is sent plain JSON. Resolves to undefined when the request has no body.
 */
export function readRequestBody(req: IncomingMessage, limitBytes: number): Promise<Buffer | undefined> {
  if (!hasBody(req)) return Promise.resolve(undefined);
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    return Promise.reject(new HttpError(415, `Unsupported Content-Encoding: ${encoding}`));
  }
  if (Number(req.headers['content-length']) > limitBytes) return Promise.reject(new HttpError(413, 'Request body too large'));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanup = () => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      req.removeListener('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limitBytes) {
        cleanup();
        // The rest is read and dropped, so that the connection can carry the 413 and the next request.
        req.resume();
        reject(new HttpError(413, 'Request body too large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new HttpError(400, `Request body not received: ${error.message}`));
    };
    const onClose = () => {
      cleanup();
      reject(new HttpError(400, 'Request body not received: the client went away'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
