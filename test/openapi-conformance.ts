import { Ajv2020 } from 'ajv/dist/2020.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';

type Document = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Wraps an app so that every response to a documented operation is checked against the OpenAPI
 * document: its status must be documented, and its JSON body must match the documented schema.
 * Violations are collected for the test to assert on.
 */
export function checkedAgainstOpenApi(app: (req: IncomingMessage, res: ServerResponse) => void, openApi: object): { app: Express; violations: string[] } {
  const document = openApi as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ ...document, $id: 'openapi' });
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const violations: string[] = [];

  const checking = express();
  checking.disable('x-powered-by');
  checking.use((req, res, next) => {
    const chunks: Buffer[] = [];
    // Keep a copy of what the app writes; the response itself goes out unchanged.
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) chunks.push(Buffer.from(chunk as string));
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.on('finish', () => {
      const path = req.originalUrl.split('?')[0]!;
      const match = templates.find(({ pattern }) => pattern.test(path));
      const operation = match && document.paths[match.template]![req.method.toLowerCase()];
      if (!match || !operation) return;
      const where = `${req.method} ${path} -> ${res.statusCode}`;
      const status = String(res.statusCode) in operation.responses ? String(res.statusCode) : 'default';
      const response = operation.responses[status];
      if (!response) {
        violations.push(`${where}: status not documented`);
        return;
      }
      if (!response.content) return;
      const pointer = ['paths', match.template, req.method.toLowerCase(), 'responses', status, 'content', 'application/json', 'schema']
        .map(escapePointer)
        .join('/');
      const validate = ajv.getSchema(`openapi#/${pointer}`);
      if (!validate) {
        violations.push(`${where}: no JSON schema documented`);
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        violations.push(`${where}: body is not JSON: ${text.slice(0, 80)}`);
        return;
      }
      if (!validate(body)) violations.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    });
    next();
  });
  checking.use((req, res) => app(req, res));
  return { app: checking, violations };
}
