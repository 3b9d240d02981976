import type { Request } from 'express';
import { HttpError, type ValidationIssue } from './validation-error.js';

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/i;

/**
 * The request body as FastAPI reads it: parsed as JSON when the content type is JSON or absent; an empty
 * body is "no body". The raw text comes from `express.text`, so the position of a syntax error is exact.
 */
export function readJsonBody(req: Request): { present: false } | { present: true; value: unknown } | { present: true; issue: ValidationIssue } {
  const raw: unknown = req.body;
  if (typeof raw !== 'string' || raw.length === 0) return { present: false };
  const contentType = req.headers['content-type']?.split(';')[0]?.trim();
  if (contentType && !JSON_MEDIA_TYPE.test(contentType)) {
    throw new HttpError(415, `Unsupported Media Type: expected application/json, got ${contentType}`);
  }
  try {
    return { present: true, value: JSON.parse(raw) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? raw.length);
    return {
      present: true,
      issue: { type: 'json_invalid', loc: ['body', position], msg: 'JSON decode error', input: {}, ctx: { error: message } },
    };
  }
}
