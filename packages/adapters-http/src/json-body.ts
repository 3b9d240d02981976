import type { IncomingMessage } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import { HttpError } from './http-error.js';
import { missingIssue, RequestValidationError } from './validation-error.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/i;

/** A body declared empty (`Content-Length: 0`) is no body at all, as FastAPI reads it: nothing to parse. */
const declaresContent = (req: IncomingMessage) => req.headers['content-length'] !== '0';

/**
 * Runs once the whole body is in, before it is decoded: a body that is not JSON gets 415 (read to its
 * end first, so the connection stays usable), invalid UTF-8 a 422 rather than replacement characters,
 * and a chunked body that turned out empty the 422 of a missing body.
 */
function checkRawBody(req: IncomingMessage, _res: unknown, bytes: Buffer): void {
  const contentType = req.headers['content-type']?.split(';')[0]?.trim();
  // FastAPI parses a body without a content type as JSON.
  if (contentType && !JSON_MEDIA_TYPE.test(contentType)) {
    throw new HttpError(415, `Unsupported Media Type: expected application/json, got ${contentType}`);
  }
  if (bytes.length === 0) throw new RequestValidationError([missingIssue(['body'], null)]);
  try {
    UTF8.decode(bytes);
  } catch {
    throw new RequestValidationError([{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: 'invalid UTF-8' } }]);
  }
}

/**
 * Express's JSON body parser, configured as FastAPI reads a body: any JSON value (`null` is then a missing
 * body, a string a type error), with or without a JSON content type; compressed bodies get 415 and bodies
 * over `limitBytes` 413, each answered only once the body has been read off. Malformed JSON reaches the
 * error handler as the parser's own error, which answers FastAPI's `json_invalid`. A body that an
 * application's own parser already read is left as that parser made it.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  return express.json({ type: declaresContent, strict: false, inflate: false, limit: limitBytes, verify: checkRawBody });
}

/**
 * The parsed body of a request, or undefined when it has none. A body declared empty is none, even when
 * an application's own parser in front made `{}` of it.
 */
export function parsedBody(req: Request): unknown {
  return declaresContent(req) ? req.body : undefined;
}
