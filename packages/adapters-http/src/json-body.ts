import { HttpError, type ValidationIssue } from './validation-error.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/i;

/**
 * The request body as FastAPI reads it: parsed as JSON when the content type is JSON or absent; an empty
 * body is "no body". It works on the raw bytes, so invalid UTF-8 and the position of a syntax error are
 * reported exactly.
 */
export function readJsonBody(
  bytes: Buffer | undefined,
  contentTypeHeader: string | undefined,
): { present: false } | { present: true; value: unknown } | { present: true; issue: ValidationIssue } {
  if (bytes === undefined || bytes.length === 0) return { present: false };
  const contentType = contentTypeHeader?.split(';')[0]?.trim();
  if (contentType && !JSON_MEDIA_TYPE.test(contentType)) {
    throw new HttpError(415, `Unsupported Media Type: expected application/json, got ${contentType}`);
  }
  let raw: string;
  try {
    raw = UTF8.decode(bytes);
  } catch {
    // Invalid UTF-8 is refused, never stored with replacement characters.
    return { present: true, issue: { type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: 'invalid UTF-8' } } };
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
