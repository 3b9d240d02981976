import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import supertest from 'supertest';

type Operation = { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, { required?: boolean }> }> };
type Document = { paths: Record<string, Record<string, Operation>> };
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';

/** A request listener as supertest takes it: an Express application, or the like. */
export type App = (req: IncomingMessage, res: ServerResponse) => void;

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** The headers of the contract: each must be declared where it is sent, and sent where it is required. */
const CONTRACT_HEADERS = ['location', 'etag', 'link', 'retry-after', 'allow', 'ratelimit', 'ratelimit-policy', 'www-authenticate'];

/** Every status each operation declares (but `default`), as `METHOD /path` -> statuses. */
export function declaredStatuses(openApi: object): Map<string, Set<string>> {
  const declared = new Map<string, Set<string>>();
  for (const [template, operations] of Object.entries((openApi as Document).paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      declared.set(`${method.toUpperCase()} ${template}`, new Set(Object.keys(operation.responses).filter((status) => status !== 'default')));
    }
  }
  return declared;
}

/**
 * supertest, with every response to a documented operation checked against the OpenAPI document as the
 * client received it: its status must be documented, the headers documented as required must be there,
 * and its JSON body must match the documented schema.
 * The application under test is served as it is; nothing is wrapped around it. Violations are collected
 * for the test to assert on. With `mountedAt`, the task routes are expected under that prefix instead of
 * the document's `/api`.
 */
export function checkedAgainstOpenApi(openApi: object, options: { mountedAt?: string } = {}) {
  const document = openApi as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ ...document, $id: 'openapi' });
  // Literal segments before parameters, as routers match them: /tasks/changes is not the task "changes".
  const templates = Object.keys(document.paths)
    .map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      parameters: template.split('{').length,
    }))
    .sort((a, b) => a.parameters - b.parameters);
  const violations: string[] = [];
  /** What the responses showed: `METHOD /path` -> statuses seen. */
  const observed = new Map<string, Set<string>>();

  function check(method: string, url: string, status: number, text: string, headers: Record<string, unknown>): void {
    let path = new URL(url, 'http://localhost').pathname;
    if (options.mountedAt && path.startsWith(`${options.mountedAt}/`)) path = `/api${path.slice(options.mountedAt.length)}`;
    const match = templates.find(({ pattern }) => pattern.test(path));
    if (!match) return;
    const operations = document.paths[match.template]!;
    const operation = operations[method];
    const where = `${method.toUpperCase()} ${path} -> ${status}`;
    if (!operation) {
      // A method the document does not declare for the path: 405, naming exactly the declared ones.
      if (method === 'head' || method === 'options') return;
      const allow = String(headers.allow ?? '')
        .split(',')
        .map((m) => m.trim().toLowerCase())
        .filter(Boolean)
        .sort();
      if (status !== 405) violations.push(`${where}: a method the document does not declare answered ${status}, not 405`);
      else if (JSON.stringify(allow) !== JSON.stringify(Object.keys(operations).sort())) {
        violations.push(`${where}: Allow is "${headers.allow}", the document declares ${Object.keys(operations).join(', ')}`);
      }
      return;
    }
    const key = `${method.toUpperCase()} ${match.template}`;
    if (!observed.has(key)) observed.set(key, new Set());
    observed.get(key)!.add(String(status));
    const documented = String(status) in operation.responses ? String(status) : 'default';
    const response = operation.responses[documented];
    if (!response) {
      violations.push(`${where}: status not documented`);
      return;
    }
    const declaredHeaders = Object.keys(response.headers ?? {}).map((name) => name.toLowerCase());
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (header.required && headers[name.toLowerCase()] === undefined) violations.push(`${where}: required header ${name} missing`);
    }
    for (const name of CONTRACT_HEADERS) {
      if (headers[name] !== undefined && !declaredHeaders.includes(name) && method !== 'head')
        violations.push(`${where}: header ${name} sent but not declared`);
    }
    // HEAD answers carry no body to check.
    if (!response.content || method === 'head') return;
    const pointer = ['paths', match.template, method, 'responses', documented, 'content', 'application/json', 'schema'].map(escapePointer).join('/');
    const validate = ajv.getSchema(`openapi#/${pointer}`);
    if (!validate) {
      violations.push(`${where}: no JSON schema documented`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      violations.push(`${where}: body is not JSON: ${text.slice(0, 80)}`);
      return;
    }
    if (!validate(body)) violations.push(`${where}: ${ajv.errorsText(validate.errors)}`);
  }

  /** `supertest(app)`, whose every response is checked as it arrives. */
  function request(app: App) {
    const agent = supertest(app);
    const checked =
      (method: Method) =>
      (url: string): supertest.Test =>
        agent[method](url).on('response', (response: { status: number; text?: string; headers: Record<string, unknown> }) =>
          check(method, url, response.status, response.text ?? '', response.headers),
        );
    return {
      get: checked('get'),
      post: checked('post'),
      put: checked('put'),
      patch: checked('patch'),
      delete: checked('delete'),
      head: checked('head'),
      options: checked('options'),
    };
  }

  return { request, violations, observed };
}
